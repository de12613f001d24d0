using System;
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
    /// was given in an error), before that text can reach a message.
    /// </summary>
    public static string Scrub(string text, params string?[] secrets)
    {
        foreach (var secret in secrets)
        {
            if (string.IsNullOrEmpty(secret) || secret!.Length < 4) continue;
            // As sent, and as a JSON or URL encoder would echo it ("+" → \u002B, "~" → %7E …).
            foreach (var form in new[] { secret, System.Text.Json.JsonEncodedText.Encode(secret).ToString(), Uri.EscapeDataString(secret) })
                text = text.Replace(form, "***");
        }
        return text;
    }

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
