# descry_module(<name> [PUBLIC <deps>...] [PRIVATE <deps>...])
#
# One folder, one static library `descry_<name>`: every .cpp/.h in the calling folder (globbed with
# CONFIGURE_DEPENDS, so adding a class is adding its files). The folder is the library's only
# include directory, so a module sees exactly the headers of the modules it links (PUBLIC
# dependencies are those its own headers include; the compiler enforces the module map).
function(descry_module name)
  cmake_parse_arguments(ARG "" "" "PUBLIC;PRIVATE" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp ${CMAKE_CURRENT_SOURCE_DIR}/*.h)
  add_library(descry_${name} STATIC ${sources})
  target_include_directories(descry_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(descry_${name} PUBLIC ${ARG_PUBLIC} PRIVATE ${ARG_PRIVATE} descry_warnings)
endfunction()
