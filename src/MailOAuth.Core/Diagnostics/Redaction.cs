using System;
using System.Collections.Generic;
using System.Linq;

namespace MailOAuth.Core.Diagnostics;

/// <summary>
/// The one place that decides what of a request may be logged: method, URL without query values,
/// status and request-id. Bodies and headers (Authorization, secrets in forms) never are.
/// </summary>
public static class Redaction
{
    /// <summary>
    /// Removes known secret values from text another system sent back (a platform that echoes what it
    /// was given in an error), before that text can reach a message. Every encoded form a JSON, URL or
    /// HTML encoder may echo is removed too (<see cref="EncodedForms"/>).
    /// </summary>
    public static string Scrub(string text, params string?[] secrets)
    {
        foreach (var secret in secrets)
        {
            if (string.IsNullOrEmpty(secret) || secret!.Length < 4) continue;
            foreach (var form in EncodedForms(secret))
                text = Replace(text, form);
        }
        return text;
    }

    /// <summary>
    /// Scrubs an answer body so that nothing read from it can carry a secret: a JSON body is parsed and
    /// every string in it (names and values) is scrubbed <em>after</em> decoding, so an escape of any
    /// form (<c>\u002B</c>, <c>\/</c>, a fully \u-escaped echo) cannot smuggle a secret past the scrub;
    /// then it is written back. Any other body is scrubbed as text.
    /// </summary>
    public static string ScrubAnswer(string body, params string?[] secrets)
    {
        var live = secrets.Where(s => !string.IsNullOrEmpty(s) && s!.Length >= 4).ToArray();
        if (live.Length == 0 || string.IsNullOrWhiteSpace(body)) return body;
        System.Text.Json.Nodes.JsonNode? root = null;
        try
        {
            root = System.Text.Json.Nodes.JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        if (root is null) return Scrub(body, live);
        return ScrubNode(root, live)?.ToJsonString() ?? "null";
    }

    private static System.Text.Json.Nodes.JsonNode? ScrubNode(System.Text.Json.Nodes.JsonNode? node, string?[] secrets)
    {
        switch (node)
        {
            case System.Text.Json.Nodes.JsonObject obj:
                var copy = new System.Text.Json.Nodes.JsonObject();
                foreach (var pair in obj.ToList())
                {
                    var name = Scrub(pair.Key, secrets);
                    var value = ScrubNode(pair.Value, secrets);
                    obj.Remove(pair.Key);
                    copy[name] = value;
                }
                return copy;
            case System.Text.Json.Nodes.JsonArray array:
                var items = array.ToList();
                array.Clear();
                var list = new System.Text.Json.Nodes.JsonArray();
                foreach (var item in items) list.Add(ScrubNode(item, secrets));
                return list;
            case System.Text.Json.Nodes.JsonValue value when value.TryGetValue<string>(out var text):
                return System.Text.Json.Nodes.JsonValue.Create(Scrub(text, secrets));
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>
    /// The secret as sent and as an encoder may echo it: JSON (default and relaxed escaping, upper or
    /// lower-case hex, with "/" escaped as "\/", or every character \u-escaped), URL (either hex case)
    /// and HTML encoding.
    /// </summary>
    internal static IEnumerable<string> EncodedForms(string secret)
    {
        var json = System.Text.Json.JsonEncodedText.Encode(secret).ToString();
        var relaxed = System.Text.Json.JsonEncodedText.Encode(secret, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();
        var url = Uri.EscapeDataString(secret);
        var forms = new HashSet<string>(StringComparer.Ordinal)
        {
            secret, json, relaxed, json.Replace("/", "\\/"), relaxed.Replace("/", "\\/"), secret.Replace("/", "\\/"),
            LowerHexEscapes(json), LowerHexEscapes(relaxed), url, LowerPercentHex(url),
            System.Net.WebUtility.HtmlEncode(secret),
            string.Concat(secret.Select(c => "\\u" + ((int)c).ToString("X4"))),
            string.Concat(secret.Select(c => "\\u" + ((int)c).ToString("x4"))),
        };
        return forms.Where(f => f.Length > 0);
    }

    private static string LowerHexEscapes(string json) =>
        System.Text.RegularExpressions.Regex.Replace(json, @"\\u([0-9A-F]{4})", m => "\\u" + m.Groups[1].Value.ToLowerInvariant());

    private static string LowerPercentHex(string url) =>
        System.Text.RegularExpressions.Regex.Replace(url, "%([0-9A-F]{2})", m => "%" + m.Groups[1].Value.ToLowerInvariant());

    private static string Replace(string text, string form) =>
        text.IndexOf(form, StringComparison.Ordinal) < 0 ? text : text.Replace(form, "***");

    /// <summary>The URL with query values replaced, e.g. <c>…/discovery/instance?api-version=…</c>.</summary>
    public static string UrlForLog(Uri? uri)
    {
        if (uri is null) return "(no url)";
        var left = uri.GetLeftPart(UriPartial.Path);
        if (string.IsNullOrEmpty(uri.Query) || uri.Query == "?") return left;
        var keys = uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=')[0]).Where(k => k.Length > 0);
        return left + "?" + string.Join("&", keys.Select(k => k + "=…"));
    }
}
