#include "AttributeBaseline.h"

#include "AttributeExtractor.h"
#include "AttributeSearch.h"
#include "QueryParser.h"

namespace descry {

std::vector<float> attributeBaselineScores(const QStringList &captions, const std::vector<cv::Mat> &images)
{
    const AttributeExtractor extractor;
    std::vector<AttributeSet> measured;
    measured.reserve(images.size());
    for (const cv::Mat &image : images)
        measured.push_back(extractor.extract(image, cv::Mat()));

    const QueryParser parser;
    const AttributeSearch search;
    const size_t g = images.size();
    std::vector<float> scores(size_t(captions.size()) * g, 0.f);
    for (qsizetype q = 0; q < captions.size(); ++q) {
        const ParsedQuery query = parser.parse(captions.at(q));
        if (query.terms.empty())
            continue;
        float *row = scores.data() + size_t(q) * g;
        for (size_t i = 0; i < g; ++i)
            row[i] = search.score(query, measured[i], nullptr);
    }
    return scores;
}

} // namespace descry
