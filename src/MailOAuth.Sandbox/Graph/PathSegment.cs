using System.Text;

namespace MailOAuth.Sandbox.Graph;

/// <summary>
/// One path segment of a Graph URL: <c>applications</c>, <c>applications(uniqueName='x')</c>,
/// <c>servicePrincipals(appId='…')</c> or <c>applications('id')</c> (KeyName null).
/// </summary>
public sealed record PathSegment(string Name, string? KeyName, string? KeyValue)
{
    public bool HasKey => KeyValue is not null;

    public bool Is(string name) => string.Equals(Name, name, StringComparison.OrdinalIgnoreCase) && !HasKey;

    /// <summary>
    /// Splits the decoded path after <c>/v1.0/</c> into segments; '/' inside quotes does not split,
    /// and <c>''</c> inside a quoted key is one quote (OData). Null when the syntax is broken.
    /// </summary>
    public static IReadOnlyList<PathSegment>? ParsePath(string rest)
    {
        var segments = new List<PathSegment>();
        var current = new StringBuilder();
        var quoted = false;
        foreach (var c in rest)
        {
            if (c == '\'')
            {
                quoted = !quoted;
            }

            if (c == '/' && !quoted)
            {
                if (current.Length > 0)
                {
                    segments.Add(ParseSegment(current.ToString()) ?? new PathSegment("", null, null));
                }

                current.Clear();
                continue;
            }

            current.Append(c);
        }

        if (quoted)
        {
            return null;
        }

        if (current.Length > 0)
        {
            segments.Add(ParseSegment(current.ToString()) ?? new PathSegment("", null, null));
        }

        return segments.Any(s => s.Name.Length == 0) ? null : segments;
    }

    private static PathSegment? ParseSegment(string text)
    {
        var open = text.IndexOf('(');
        if (open < 0)
        {
            return new PathSegment(text, null, null);
        }

        if (!text.EndsWith(')') || open == 0)
        {
            return null;
        }

        var name = text[..open];
        var inside = text[(open + 1)..^1].Trim();
        string? keyName = null;
        var equals = inside.IndexOf('=');
        if (equals > 0 && !inside[..equals].Contains('\''))
        {
            keyName = inside[..equals].Trim();
            inside = inside[(equals + 1)..].Trim();
        }

        if (inside.Length >= 2 && inside[0] == '\'' && inside[^1] == '\'')
        {
            inside = inside[1..^1].Replace("''", "'");
        }

        return new PathSegment(name, keyName, inside);
    }
}
