using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace MailOAuth.Core.Checks;

/// <summary>
/// What the Spf check requires of the sender domain's record: the includes of the SPF record Microsoft 365
/// states for the domain (Graph's serviceConfigurationRecords, read with the admin connection:
/// docs/service-behaviour.md#service-configuration-records), or, without it, the cloud's Exchange Online include.
/// </summary>
internal sealed class SpfExpectation
{
    private SpfExpectation(IReadOnlyList<string> includes, string source) => (Includes, Source) = (includes, source);

    /// <summary>The include domains the record must reach, lower case, at least one.</summary>
    public IReadOnlyList<string> Includes { get; }

    /// <summary>The record to propose when the domain has none.</summary>
    public string Record => "v=spf1 " + string.Join(" ", Includes.Select(i => "include:" + i)) + " -all";

    /// <summary>Where the requirement comes from, for the message ("Exchange Online in Global", "which Microsoft 365 expects …").</summary>
    public string Source { get; }

    /// <summary>A remark on the requirement (a custom cloud checked for the global include), or null.</summary>
    public string? Note { get; private init; }

    /// <summary>True when the includes come from Graph's record for the domain.</summary>
    public bool FromGraph { get; private init; }

    /// <summary>"" or "; Microsoft 365 expects: …" to append to the check's evidence.</summary>
    public string Evidence { get; private init; } = "";

    /// <summary>The expectation for <paramref name="environmentName"/>, from <paramref name="graphRecord"/> when it names includes.</summary>
    public static SpfExpectation For(string? environmentName, string? graphRecord)
    {
        var parsed = graphRecord is null ? null : SpfRecord.Parse(Normalize(graphRecord));
        var includes = parsed?.Includes.Select(i => i.TrimEnd('.').ToLowerInvariant()).Where(i => i.Length > 0).Distinct().ToList();
        if (includes is { Count: > 0 })
        {
            return new SpfExpectation(includes, "which Microsoft 365 expects for this domain: Graph's serviceConfigurationRecords")
            {
                FromGraph = true,
                Evidence = "; Microsoft 365 expects: " + graphRecord!.Trim(),
            };
        }

        var (include, note) = DnsCheck.SpfIncludeFor(environmentName);
        return new SpfExpectation(new[] { include }, note is null ? $"Exchange Online in {environmentName}" : "Exchange Online") { Note = note };
    }

    /// <summary>
    /// Graph's own documentation example writes <c>include: spf.protection.outlook.com</c> with a space after the
    /// colon (docs/service-behaviour.md#service-configuration-records): joined here, never compared byte for byte.
    /// </summary>
    internal static string Normalize(string text) =>
        Regex.Replace(text.Trim(), @"\b(include|redirect|exists)\s*([:=])\s+", "$1$2", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
