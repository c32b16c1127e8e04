#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <type_traits>
#include <vector>

namespace descry {

// Typed reads of optional JSON object fields, shared by the option and config readers: a missing
// key keeps the caller's default; a value of the wrong JSON type is an error that names the
// field, prefixed with `context` (e.g. "scene options").
template<typename T>
bool readJsonField(const QJsonObject &json, const char *key, T *out, QString *error, const QString &context)
{
    const QJsonValue v = json.value(QLatin1String(key));
    if (v.isUndefined())
        return true;
    auto fail = [&](const char *what) {
        *error = QStringLiteral("%1: \"%2\" is not %3").arg(context, QLatin1String(key), QLatin1String(what));
        return false;
    };
    if constexpr (std::is_same_v<T, bool>) {
        if (!v.isBool())
            return fail("true/false");
        *out = v.toBool();
    } else if constexpr (std::is_same_v<T, QString>) {
        if (!v.isString())
            return fail("a string");
        *out = v.toString();
    } else if constexpr (std::is_same_v<T, std::vector<int>>) {
        if (!v.isArray())
            return fail("an array of integers");
        std::vector<int> values;
        for (const QJsonValue &item : v.toArray()) {
            if (!item.isDouble())
                return fail("an array of integers");
            values.push_back(item.toInt());
        }
        *out = values;
    } else {
        if (!v.isDouble())
            return fail("a number");
        if constexpr (std::is_integral_v<T>)
            *out = static_cast<T>(v.toInteger());
        else
            *out = static_cast<T>(v.toDouble());
    }
    return true;
}

} // namespace descry
