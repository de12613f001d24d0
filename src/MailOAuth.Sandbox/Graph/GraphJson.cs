using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MailOAuth.Sandbox.Graph;

/// <summary>The value formats every directory entity shares (timestamps, string arrays).</summary>
public static class GraphJson
{
    /// <summary>Directory timestamps: <c>2019-09-17T19:10:35.2742618Z</c>, whole seconds without a fraction.</summary>
    public static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>Credential timestamps, always with seven fraction digits (docs/service-behaviour.md#add-password).</summary>
    public static string Iso7(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => JsonValue.Create(v))]);

    public static ImmutableArray<string>? StringArray(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String)
            ? [.. value.EnumerateArray().Select(v => v.GetString()!)]
            : null;
}
