#pragma once

#include "CaseExporter.h"
#include "MatchExplanation.h"
#include "SearchEngine.h"

#include <QMetaType>

// Search structs cross threads in queued signals.
Q_DECLARE_METATYPE(descry::SearchRequest)
Q_DECLARE_METATYPE(descry::SearchResponse)
Q_DECLARE_METATYPE(descry::MatchExplanation)
Q_DECLARE_METATYPE(descry::CaseExportRequest)
Q_DECLARE_METATYPE(descry::CaseExportResult)
