using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace MailOAuth.Core.Checks;

/// <summary>What one DNS question got back.</summary>
internal enum DnsAnswerKind
{
    /// <summary>NOERROR with records of the type asked (or a CNAME).</summary>
    Records,
    /// <summary>NOERROR, nothing of that type (NODATA).</summary>
    NoRecords,
    /// <summary>NXDOMAIN: the name does not exist.</summary>
    NameNotFound,
    /// <summary>No usable answer: timed out, unreachable, SERVFAIL or REFUSED. The check cannot judge.</summary>
    NoAnswer,
}

/// <summary>The answer to one question: TXT texts (character-strings joined) or a CNAME target, or why there is none.</summary>
internal sealed class DnsAnswer
{
    public DnsAnswerKind Kind { get; private set; }
    public IReadOnlyList<string> Txt { get; private set; } = new string[0];
    /// <summary>The CNAME target, lower case, no trailing dot.</summary>
    public string? Cname { get; private set; }
    /// <summary>Why there is no answer (for <see cref="DnsAnswerKind.NoAnswer"/>).</summary>
    public string? Problem { get; private set; }

    public bool Exists => Kind is DnsAnswerKind.Records or DnsAnswerKind.NoRecords;

    public static DnsAnswer OfTxt(IReadOnlyList<string> txt) => new() { Kind = txt.Count > 0 ? DnsAnswerKind.Records : DnsAnswerKind.NoRecords, Txt = txt };
    public static DnsAnswer OfCname(string? target) => new() { Kind = target is null ? DnsAnswerKind.NoRecords : DnsAnswerKind.Records, Cname = target };
    public static readonly DnsAnswer NotFound = new() { Kind = DnsAnswerKind.NameNotFound };
    public static DnsAnswer Unanswered(string problem) => new() { Kind = DnsAnswerKind.NoAnswer, Problem = problem };
}

/// <summary>The two questions the DNS checks ask (a seam: the SPF lookup counter is unit-tested against a dictionary).</summary>
internal interface IDnsLookup
{
    /// <summary>The TXT records at <paramref name="name"/>.</summary>
    Task<DnsAnswer> TxtAsync(string name, CancellationToken ct);

    /// <summary>The CNAME at <paramref name="name"/>, not followed.</summary>
    Task<DnsAnswer> CnameAsync(string name, CancellationToken ct);
}
