#include "NafsScript.h"

#include "NafsModel.h"
#include "NafsWeights.h"
#include "WordPieceVocabulary.h"

#include <QFile>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>

#include <torch/script.h>
#include <torch/torch.h>

namespace descry {

namespace {

std::string attr(const std::string &name)
{
    return "self." + nafsArchiveKey(name);
}

std::string number(double v)
{
    std::ostringstream s;
    s.precision(17);
    s << std::showpoint << v;
    return s.str();
}

// Fixed helpers of the generated module.
const char *const kHelpers = R"(
def conv_bn(self, x: Tensor, w: Tensor, g: Tensor, b: Tensor, m: Tensor, v: Tensor, stride: int, pad: int) -> Tensor:
    y = torch.conv2d(x, w, None, [stride, stride], [pad, pad], [1, 1], 1)
    return torch.batch_norm(y, g, b, m, v, False, 0.1, 1e-05, False)

def linear(self, x: Tensor, w: Tensor, b: Tensor) -> Tensor:
    return torch.matmul(x, w.t()) + b

def stripes(self, x: Tensor, n: int) -> Tensor:
    return x.reshape([x.size(0), x.size(1), n, -1]).mean(3).transpose(1, 2)

def attention(self, x: Tensor, allowed: Tensor, wqkv: Tensor, bqkv: Tensor, wo: Tensor, bo: Tensor, heads: int, scale: float) -> Tensor:
    B = x.size(0)
    L = x.size(1)
    W = x.size(2)
    qkv = self.linear(x, wqkv, bqkv).view([B, L, 3, heads, W // heads]).permute([2, 0, 3, 1, 4])
    scores = torch.matmul(qkv[0], qkv[1].transpose(-2, -1)) * scale
    scores = scores.masked_fill(allowed.logical_not().unsqueeze(1), -1000000000.0)
    context = torch.matmul(torch.softmax(scores, -1), qkv[2]).transpose(1, 2).reshape([B, L, W])
    return self.linear(context, wo, bo)

def unit(self, x: Tensor) -> Tensor:
    return x / x.norm(2, -1, True).clamp_min(1e-08)

def attention_weights(self, similarity: Tensor, query_valid: Tensor, context_valid: Tensor, lam: float, slope: float, focal: bool) -> Tensor:
    qm = query_valid.unsqueeze(-1)
    cm = context_valid.unsqueeze(-2)
    s = torch.where(similarity >= 0.0, similarity, similarity * slope)
    s = s.masked_fill(qm.logical_not(), 0.0)
    s = s / (s.norm(2, -2, True) + 1e-08)
    w = torch.softmax((s * lam).masked_fill(cm.logical_not(), -1000000000.0), -1)
    if focal:
        n = cm.to(w.dtype).sum(-1, True)
        keep = (w * n).ge(1.0 - 1e-06).logical_and(cm)
        w = w * keep.to(w.dtype)
        w = w / (w.sum(-1, True) + 1e-08)
    return w.masked_fill(qm.logical_not().logical_or(cm.logical_not()), 0.0)

def masked_mean(self, values: Tensor, valid: Tensor) -> Tensor:
    w = valid.to(values.dtype).expand_as(values)
    return (values * w).sum(-1) / w.sum(-1).clamp_min(1.0)
)";

std::string convBn(const std::string &input, const std::string &conv, const std::string &bn, int stride, int pad)
{
    return "self.conv_bn(" + input + ", " + attr(conv + ".weight") + ", " + attr(bn + ".weight") + ", " + attr(bn + ".bias")
        + ", " + attr(bn + ".running_mean") + ", " + attr(bn + ".running_var") + ", " + std::to_string(stride) + ", "
        + std::to_string(pad) + ")";
}

// Statements that run stage `prefix` (ResidualStage) on variable `x` in place.
std::string stage(const std::string &prefix, int blocks, int stride, bool firstHasShortcut, const std::string &x)
{
    std::string code;
    for (int i = 0; i < blocks; ++i) {
        const std::string p = prefix + ".blocks." + std::to_string(i) + ".";
        const int s = i == 0 ? stride : 1;
        code += "    y = torch.relu(" + convBn(x, p + "conv1", p + "bn1", s, 1) + ")\n";
        code += "    y = " + convBn("y", p + "conv2", p + "bn2", 1, 1) + "\n";
        const std::string shortcut = (i == 0 && firstHasShortcut) ? convBn(x, p + "shortcut_conv", p + "shortcut_bn", s, 0) : x;
        code += "    " + x + " = torch.relu(y + " + shortcut + ")\n";
    }
    return code;
}

std::string imageSource(const NafsArchitecture &a)
{
    const auto &w = a.widths;
    const auto &b = a.blocks;
    std::string c = "def encode_images(self, images: Tensor) -> Tensor:\n";
    c += "    s1 = torch.relu(" + convBn("images", "backbone.stem_conv", "backbone.stem_bn", 2, 1) + ")\n";
    c += stage("backbone.stage1", b[0], 1, false, "s1");
    c += "    s2 = s1\n" + stage("backbone.stage2", b[1], 2, true, "s2");
    c += "    s3 = s2\n" + stage("backbone.stage3", b[2], 2, true, "s3");
    c += "    s4 = s3\n" + stage("backbone.stage4", b[3], 1, w[2] != w[3], "s4");
    c += "    r = s2\n" + stage("backbone.region3", b[2], 2, true, "r") + stage("backbone.region4", b[3], 1, w[2] != w[3], "r");
    c += "    p = s3\n" + stage("backbone.patch4", b[3], 1, w[2] != w[3], "p");
    c += "    g = self.linear(s4.mean([2, 3]), " + attr("global_projection.weight") + ", " + attr("global_projection.bias") + ")\n";
    c += "    rs = self.linear(self.stripes(r, " + std::to_string(a.regionStripes) + "), " + attr("region_projection.weight")
        + ", " + attr("region_projection.bias") + ")\n";
    c += "    ps = self.linear(self.stripes(p, " + std::to_string(a.patchStripes) + "), " + attr("patch_projection.weight")
        + ", " + attr("patch_projection.bias") + ")\n";
    c += "    return torch.cat([g.unsqueeze(1), rs, ps], 1)\n";
    return c;
}

std::string layerNorm(const std::string &x, const std::string &prefix, int width)
{
    return "torch.layer_norm(" + x + ", [" + std::to_string(width) + "], " + attr(prefix + ".weight") + ", "
        + attr(prefix + ".bias") + ", 1e-05, False)";
}

std::string textSource(const NafsArchitecture &a)
{
    std::string c = "def encode_texts(self, ids: Tensor, attention_mask: Tensor, span: Tensor) -> Tuple[Tensor, Tensor]:\n";
    c += "    positions = torch.arange(ids.size(1), device=ids.device).unsqueeze(0)\n";
    c += "    x = torch.embedding(" + attr("text.tokens.weight") + ", ids) + torch.embedding(" + attr("text.positions.weight")
        + ", positions)\n";
    c += "    key_valid = attention_mask.ne(0).unsqueeze(1)\n";
    c += "    is_sub = ids.eq(" + std::to_string(WordPieceVocabulary::Sub) + ").unsqueeze(2)\n";
    c += "    allowed = key_valid.logical_and(is_sub.logical_not().logical_or(span.unsqueeze(2).eq(span.unsqueeze(1))))\n";
    const std::string scale = number(1.0 / std::sqrt(double(a.textWidth / a.textHeads)));
    for (int i = 0; i < a.textLayers; ++i) {
        const std::string p = "text.layer" + std::to_string(i) + ".";
        c += "    h = " + layerNorm("x", p + "norm1", a.textWidth) + "\n";
        c += "    x = x + self.attention(h, allowed, " + attr(p + "attention.qkv.weight") + ", " + attr(p + "attention.qkv.bias")
            + ", " + attr(p + "attention.out.weight") + ", " + attr(p + "attention.out.bias") + ", "
            + std::to_string(a.textHeads) + ", " + scale + ")\n";
        c += "    h = " + layerNorm("x", p + "norm2", a.textWidth) + "\n";
        c += "    f = self.linear(h, " + attr(p + "ff1.weight") + ", " + attr(p + "ff1.bias") + ")\n";
        c += "    f = 0.5 * f * (1.0 + torch.erf(f * 0.70710678118654757))\n";
        c += "    x = x + self.linear(f, " + attr(p + "ff2.weight") + ", " + attr(p + "ff2.bias") + ")\n";
    }
    c += "    items = self.linear(" + layerNorm("x", "text.final_norm", a.textWidth) + ", " + attr("text.projection.weight")
        + ", " + attr("text.projection.bias") + ")\n";
    c += "    valid = attention_mask.ne(0).logical_and(ids.ne(" + std::to_string(WordPieceVocabulary::Sep) + "))\n";
    c += "    return items, valid\n";
    return c;
}

std::string alignSource(const NafsArchitecture &a)
{
    auto lin = [](const std::string &x, const std::string &m) {
        return "self.linear(" + x + ", " + attr("alignment." + m + ".weight") + ", " + attr("alignment." + m + ".bias") + ")";
    };
    const std::string args = number(a.inverseTemperature) + ", " + number(a.leakySlope) + ", "
        + (a.focalAttention ? "True" : "False");
    std::string c = "def align(self, image: Tensor, image_valid: Tensor, text: Tensor, text_valid: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:\n";
    c += "    vq = self.unit(" + lin("image", "visual_query") + ").unsqueeze(1)\n";
    c += "    vv = " + lin("image", "visual_value") + ".unsqueeze(1)\n";
    c += "    tk = self.unit(" + lin("text", "text_key") + ").unsqueeze(0)\n";
    c += "    tv = " + lin("text", "text_value") + ".unsqueeze(0)\n";
    c += "    iv = image_valid.unsqueeze(1)\n";
    c += "    tval = text_valid.unsqueeze(0)\n";
    c += "    cosine = torch.matmul(vq, tk.transpose(-1, -2))\n";
    c += "    alpha = self.attention_weights(cosine, iv, tval, " + args + ")\n";
    c += "    rel_i = torch.cosine_similarity(vv, torch.matmul(alpha, tv), -1, 1e-08) * iv.to(vv.dtype)\n";
    c += "    i2t = self.masked_mean(rel_i, iv)\n";
    c += "    beta = self.attention_weights(cosine.transpose(-1, -2), tval, iv, " + args + ")\n";
    c += "    rel_t = torch.cosine_similarity(tv, torch.matmul(beta, vv), -1, 1e-08) * tval.to(tv.dtype)\n";
    c += "    t2i = self.masked_mean(rel_t, tval)\n";
    c += "    return i2t, t2i, alpha, beta, rel_i, rel_t\n";
    return c;
}

} // namespace

bool exportNafsTorchScript(const QString &configPath, const QString &outPath, QString *error)
{
    NafsConfig config;
    WordPieceVocabulary vocabulary;
    if (!NafsConfig::load(configPath, &config, error))
        return false;
    if (!config.model.trunk.isEmpty()) {
        // The generated TorchScript source knows the ResNet staircase only; a pretrained trunk
        // runs the package's graph through the interpreter, which has no TorchScript form yet.
        *error = QStringLiteral("cannot export %1 to TorchScript: its image trunk (%2) is not supported by the "
                                "exporter yet; use the model config itself (--model %1)")
                     .arg(configPath, config.model.trunk);
        return false;
    }
    try {
        NafsModel model { nullptr };
        if (!loadNafsFilesBeside(configPath, config, &vocabulary, &model, error))
            return false;
        torch::jit::Module module("DescryNafs");
        for (const auto &p : model->named_parameters())
            module.register_parameter(nafsArchiveKey(p.key()), p.value().detach().clone(), false);
        for (const auto &b : model->named_buffers())
            module.register_buffer(nafsArchiveKey(b.key()), b.value().detach().clone());
        module.define(std::string(kHelpers) + "\n" + imageSource(config.model) + "\n" + textSource(config.model) + "\n"
            + alignSource(config.model));
        QJsonObject json = config.toJson();
        json[QStringLiteral("interface")] = kNafsScriptInterfaceVersion;
        torch::jit::ExtraFilesMap extra{
            {"descry/config.json", QJsonDocument(json).toJson().toStdString()},
            {"descry/vocab.txt", vocabulary.toText().toStdString()},
        };
        module.save(QFile::encodeName(outPath).toStdString(), extra);
    } catch (const c10::Error &e) {
        *error = QStringLiteral("cannot export %1 to TorchScript: %2")
                     .arg(configPath, QString::fromUtf8(e.what_without_backtrace()).section(QLatin1Char('\n'), 0, 2));
        return false;
    } catch (const std::exception &e) { // torch::jit::ErrorReport: the generated source does not compile
        *error = QStringLiteral("cannot export %1 to TorchScript: %2").arg(configPath, QString::fromUtf8(e.what()));
        return false;
    }
    return true;
}

} // namespace descry
