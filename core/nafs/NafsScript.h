#pragma once

#include <QString>

namespace descry {

// Descry's model interface for TorchScript checkpoints (version 1). A TorchScript module that
// provides these methods, plus the extra files "descry/config.json" (a NafsConfig: name,
// family "nafs", version, model sizes) and "descry/vocab.txt" (a WordPieceVocabulary file),
// loads with TextPersonModel::load(<file>.ts) like a native model:
//   encode_images(images: Tensor[B, 3, H, W] float, normalised as normalizeImages())
//       -> Tensor[B, Ni, D]: global item, region stripes, patch stripes
//   encode_texts(ids, attention_mask, span: Tensor[B, L] int64, see WordPieceSequence)
//       -> (Tensor[B, L, D] items, Tensor[B, L] bool valid)
//   align(image_items[Bi, Ni, D], image_valid[Bi, Ni] bool, text_items[Bt, Nt, D], text_valid[Bt, Nt] bool)
//       -> (imageToText[Bi, Bt], textToImage[Bi, Bt], weights[Bi, Bt, Ni, Nt], weights[Bi, Bt, Nt, Ni])
//          optionally followed by the per-item relevances [Bi, Bt, Ni] and [Bi, Bt, Nt] that the two
//          similarities average (AlignmentScores); without them explanations show the attention but
//          cannot split the score by image scale.
// exportNafsTorchScript writes a trained native model in this form: the network written out as
// TorchScript source for its architecture (batch norm in inference form), with its weights.
bool exportNafsTorchScript(const QString &configPath, const QString &outPath, QString *error);

inline constexpr int kNafsScriptInterfaceVersion = 1;

} // namespace descry
