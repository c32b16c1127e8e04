#pragma once

#include <QStringList>

#include <opencv2/core/mat.hpp>

#include <vector>

namespace descry {

// Scores every caption against every image (queries x gallery, row-major) with the attribute
// baseline, so that `descry-cli eval` can compare a neural model with the foundation's attribute
// search on the same text-to-person data: attributes measured on each image by
// AttributeExtractor, each caption parsed by QueryParser, scored by AttributeSearch::score.
// `images` are BGR person crops (CV_8UC3); each is measured whole and without a mask, as ingest
// measures a single crop whose detection box covers it (dataset crops carry a small margin, as
// ingest crops do). An empty or non-BGR image has no attributes and scores 0 for every caption.
// A caption without any term the lexicon knows scores 0 against every image.
std::vector<float> attributeBaselineScores(const QStringList &captions, const std::vector<cv::Mat> &images);

} // namespace descry
