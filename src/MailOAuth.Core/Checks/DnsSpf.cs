using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace MailOAuth.Core.Checks;

/// <summary>One term of an SPF record (RFC 7208 §4.6.1): a mechanism with its qualifier, or a modifier.</summary>
/// <param name="Qualifier">'+', '-', '~' or '?' ('+' when none is written); '\0' for a modifier.</param>
/// <param name="Name">The mechanism or modifier name, lower case: all, include, a, mx, ptr, ip4, ip6, exists, redirect, exp, …</param>
/// <param name="Value">What follows ':' or '=' (or "/len" for a and mx), or null.</param>
/// <param name="Text">The term as written.</param>
internal sealed record SpfTerm(char Qualifier, string Name, string? Value, string Text)
{
    public bool IsModifier => Qualifier == '\0';

    /// <summary>The terms that cost a DNS lookup when evaluated (RFC 7208 §4.6.4).</summary>
    public bool CostsLookup => Name is "include" or "a" or "mx" or "ptr" or "exists" || IsModifier && Name == "redirect";
}

/// <summary>A parsed SPF record: <c>v=spf1</c> followed by terms.</summary>
internal sealed class SpfRecord
{
    private SpfRecord(string text, IReadOnlyList<SpfTerm> terms)
    {
        Text = text;
        Terms = terms;
    }

    public string Text { get; }
    public IReadOnlyList<SpfTerm> Terms { get; }

    /// <summary>The <c>all</c> mechanism, or null (then the result of a non-match is neutral).</summary>
    public SpfTerm? All => Terms.FirstOrDefault(t => !t.IsModifier && t.Name == "all");

    /// <summary>The redirect modifier's domain; ignored when the record has an <c>all</c> (RFC 7208 §6.1).</summary>
    public string? Redirect => All is null ? Terms.FirstOrDefault(t => t.IsModifier && t.Name == "redirect")?.Value : null;

    /// <summary>The domains of the include mechanisms, in order.</summary>
    public IEnumerable<string> Includes => Terms.Where(t => !t.IsModifier && t.Name == "include" && !string.IsNullOrEmpty(t.Value)).Select(t => t.Value!);

    /// <summary>True for a TXT text that is an SPF record: <c>v=spf1</c> alone or followed by a space (RFC 7208 §4.5).</summary>
    public static bool IsSpf(string text) =>
        text.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase) && (text.Length == 6 || text[6] == ' ');

    /// <summary>Parses <paramref name="text"/>; null when it is not an SPF record.</summary>
    public static SpfRecord? Parse(string text)
    {
        if (!IsSpf(text)) return null;
        var terms = new List<SpfTerm>();
        foreach (var word in text.Substring(6).Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries))
        {
            terms.Add(ParseTerm(word));
        }

        return new SpfRecord(text, terms);
    }

    private static SpfTerm ParseTerm(string word)
    {
        var colon = word.IndexOf(':');
        var equals = word.IndexOf('=');
        var slash = word.IndexOf('/');
        // name=value is a modifier unless a ':' or '/' comes first (RFC 7208 §12: modifier names are alphanumeric).
        if (equals > 0 && (colon < 0 || equals < colon) && (slash < 0 || equals < slash))
        {
            return new SpfTerm('\0', word.Substring(0, equals).ToLowerInvariant(), word.Substring(equals + 1), word);
        }

        var qualifier = '+';
        var body = word;
        if (word.Length > 0 && "+-~?".IndexOf(word[0]) >= 0)
        {
            qualifier = word[0];
            body = word.Substring(1);
        }

        var split = body.IndexOfAny(new[] { ':', '/' });
        var name = (split < 0 ? body : body.Substring(0, split)).ToLowerInvariant();
        string? value = split < 0 ? null : body[split] == ':' ? body.Substring(split + 1) : body.Substring(split);
        return new SpfTerm(qualifier, name, value, word);
    }
}

/// <summary>What counting an SPF record's DNS lookups found.</summary>
internal sealed class SpfLookupCount
{
    /// <summary>Lookups the evaluation would make (RFC 7208 §4.6.4 limit: 10).</summary>
    public int Lookups { get; set; }

    /// <summary>True when counting stopped early (the bound on queries or depth was reached): <see cref="Lookups"/> is a lower bound.</summary>
    public bool Capped { get; set; }

    /// <summary>Every domain included or redirected to, directly or further down, lower case.</summary>
    public HashSet<string> IncludedDomains { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Included or redirected domains that have no single SPF record (a permerror when evaluated).</summary>
    public List<string> Broken { get; } = new();

    /// <summary>Why a domain could not be read (no answer): the count is then a lower bound too.</summary>
    public List<string> Unanswered { get; } = new();
}

/// <summary>
/// Counts the DNS lookups of an SPF record as a receiver would (RFC 7208 §4.6.4): each include, a,
/// mx, ptr, exists and redirect costs one, and included or redirected records are counted
/// recursively. Bounded: at most <see cref="MaxQueries"/> TXT questions and <see cref="MaxDepth"/>
/// levels, and a domain already visited is not fetched twice (loops end).
/// </summary>
internal static class SpfLookupCounter
{
    public const int Limit = 10;
    public const int MaxQueries = 30;
    public const int MaxDepth = 10;

    public static async Task<SpfLookupCount> CountAsync(SpfRecord record, IDnsLookup dns, CancellationToken ct)
    {
        var count = new SpfLookupCount();
        var visited = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var queries = 0;
        await WalkAsync(record, 0).ConfigureAwait(false);
        return count;

        async Task WalkAsync(SpfRecord current, int depth)
        {
            var targets = new List<string>();
            foreach (var term in current.Terms.Where(t => t.CostsLookup))
            {
                if (term.IsModifier && current.Redirect is null) continue; // a redirect beside "all" is never evaluated
                count.Lookups++;
                if ((term.Name == "include" || term.Name == "redirect") && !string.IsNullOrEmpty(term.Value))
                {
                    targets.Add(term.Value!.TrimEnd('.'));
                }
            }

            foreach (var target in targets)
            {
                count.IncludedDomains.Add(target);
                // A macro (%{d}, …) is expanded per message: the target is unknown here, counted once above.
                if (target.IndexOf('%') >= 0 || !visited.Add(target)) continue;
                if (depth + 1 > MaxDepth || queries >= MaxQueries)
                {
                    count.Capped = true;
                    return;
                }

                queries++;
                var answer = await dns.TxtAsync(target, ct).ConfigureAwait(false);
                if (answer.Kind == DnsAnswerKind.NoAnswer)
                {
                    count.Unanswered.Add(answer.Problem ?? target);
                    continue;
                }

                var spf = answer.Txt.Where(SpfRecord.IsSpf).ToList();
                if (spf.Count != 1)
                {
                    count.Broken.Add(target);
                    continue;
                }

                await WalkAsync(SpfRecord.Parse(spf[0])!, depth + 1).ConfigureAwait(false);
            }
        }
    }
}
