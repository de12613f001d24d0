using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Diagnostics;

namespace MailOAuth.Core.Checks;

/// <summary>
/// The Spf, Dkim and Dmarc checks of a sender domain, by DNS (DnsClient.NET) against the system
/// resolver or the given servers. Never hangs: each question has a bounded timeout and retry count
/// and the whole check a time budget on the session's clock; a resolver that does not answer makes
/// the checks Skipped with the reason, not Fail. Results come in the order Spf, Dkim, Dmarc.
/// </summary>
public sealed class DnsCheck : IDnsCheck
{
    public const string SpfCheck = "Spf";
    public const string DkimCheck = "Dkim";
    public const string DmarcCheck = "Dmarc";

    private readonly TimeProvider _time;
    private readonly DnsCheckOptions _options;

    /// <summary>A check on <paramref name="session"/>'s clock with the default timeouts (2 s per question, 1 retry, 20 s in all).</summary>
    public DnsCheck(MailOAuthSession session) : this(session, DnsCheckOptions.Default) { }

    internal DnsCheck(MailOAuthSession session, DnsCheckOptions options)
    {
        if (session is null) throw new ArgumentNullException(nameof(session));
        _time = session.TimeProvider;
        _options = options;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CheckResult>> CheckAsync(string domain, string environmentName, IReadOnlyList<string>? dnsServers, string? expectedSpf, CancellationToken ct) =>
        Explained.RunAsync($"check the SPF, DKIM and DMARC records of {domain}", null, () => RunAsync(domain, environmentName, dnsServers, expectedSpf, ct), ct);

    private async Task<IReadOnlyList<CheckResult>> RunAsync(string domain, string environmentName, IReadOnlyList<string>? dnsServers, string? expectedSpf, CancellationToken ct)
    {
        if (!TryNormalizeDomain(domain, out var name))
        {
            return SkipAll($"'{domain}' is not a domain name, so its DNS records were not looked up.", "Give a sender address of the form user@domain.");
        }

        using var budget = _time.CreateCancellationTokenSource(_options.Budget);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, budget.Token);
        var results = new List<CheckResult>();
        try
        {
            var (servers, problem) = await ResolveServersAsync(dnsServers, linked.Token).ConfigureAwait(false);
            if (problem is not null)
            {
                return SkipAll($"The DNS checks did not run: {problem}.", "Give -DnsServer as an IP address or host name, optionally with :port (e.g. 192.0.2.53 or 127.0.0.1:5353).");
            }

            var dns = DnsResolver.Create(servers, _options.QueryTimeout, _options.Retries);
            var apex = await dns.TxtAsync(name, linked.Token).ConfigureAwait(false);
            if (apex.Kind == DnsAnswerKind.NoAnswer)
            {
                // The first question tells whether the resolver answers at all: then none of the three is judged.
                return SkipAll(NoAnswerMessage(apex.Problem), NoAnswerRemediation);
            }

            results.Add(await CheckSpfAsync(name, SpfExpectation.For(environmentName, expectedSpf), apex, dns, linked.Token).ConfigureAwait(false));
            results.Add(await CheckDkimAsync(name, dns, linked.Token).ConfigureAwait(false));
            results.Add(await CheckDmarcAsync(name, dns, linked.Token).ConfigureAwait(false));
            return results;
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            var message = $"The DNS lookups did not finish within {_options.Budget.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s.";
            foreach (var check in new[] { SpfCheck, DkimCheck, DmarcCheck }.Skip(results.Count))
            {
                results.Add(Skipped(check, message, NoAnswerRemediation));
            }

            return results;
        }
    }

    // ---- Spf -------------------------------------------------------------------------------

    private static async Task<CheckResult> CheckSpfAsync(string domain, SpfExpectation expected, DnsAnswer apex, IDnsLookup dns, CancellationToken ct)
    {
        var include = expected.Includes[0];
        var cloudNote = expected.Note;
        var spf = apex.Txt.Where(SpfRecord.IsSpf).ToList();
        if (spf.Count == 0)
        {
            var evidence = apex.Kind == DnsAnswerKind.NameNotFound ? $"{domain} does not exist in DNS (NXDOMAIN)"
                : apex.Txt.Count == 0 ? $"no TXT records at {domain}"
                : $"TXT at {domain}: " + string.Join(" | ", apex.Txt);
            return Found(SpfCheck, CheckStatus.Fail, DiagnosisCatalog.SpfRecordMissing(domain, ZoneTxt(domain, expected.Record)), evidence + expected.Evidence, cloudNote);
        }

        if (spf.Count > 1)
        {
            var merged = Merge(spf.Select(t => SpfRecord.Parse(t)!).ToList(), expected.Includes);
            return Found(SpfCheck, CheckStatus.Fail, DiagnosisCatalog.SpfRecordDuplicated(domain, spf.Count, ZoneTxt(domain, merged)), string.Join(" | ", spf) + expected.Evidence, cloudNote);
        }

        var record = SpfRecord.Parse(spf[0])!;
        var count = await SpfLookupCounter.CountAsync(record, dns, ct).ConfigureAwait(false);
        var lookups = count.Lookups.ToString(CultureInfo.InvariantCulture) + (count.Capped || count.Unanswered.Count > 0 ? "+" : "");
        var evidenceText = $"{record.Text} ({lookups} DNS lookups)" + expected.Evidence;
        var problems = new List<string>();
        var missing = expected.Includes.Where(i => !count.IncludedDomains.Contains(i)).ToList();
        foreach (var absent in missing)
        {
            problems.Add($"does not include include:{absent} ({expected.Source})");
        }

        var all = record.All;
        if (all is { Qualifier: '+' })
        {
            problems.Add($"ends in {all.Text}, which allows any server on the Internet to send as {domain}");
        }

        if (count.Lookups > SpfLookupCounter.Limit)
        {
            problems.Add($"needs {lookups} DNS lookups when evaluated, more than the limit of {SpfLookupCounter.Limit}, so receivers return a permanent error (RFC 7208 §4.6.4)");
        }

        foreach (var broken in count.Broken)
        {
            problems.Add($"includes {broken}, which has no single SPF record (a permanent error when evaluated)");
        }

        if (problems.Count > 0)
        {
            var corrected = Corrected(record, missing);
            var advice = count.Lookups > SpfLookupCounter.Limit
                ? $"Then bring it to {SpfLookupCounter.Limit} lookups or fewer: remove includes of services that no longer send for {domain}, or replace them with their ip4:/ip6: ranges."
                : null;
            return Found(SpfCheck, CheckStatus.Fail, DiagnosisCatalog.SpfRecordBroken(domain, problems, ZoneTxt(domain, corrected), advice), evidenceText, cloudNote);
        }

        var includes = string.Join(" and ", expected.Includes);
        var message = $"{domain} has one SPF record; it includes {includes}{(expected.FromGraph ? " as Microsoft 365 expects for this domain" : "")}, ends in {all?.Text ?? "no all mechanism"} and needs {lookups} of {SpfLookupCounter.Limit} DNS lookups.";
        if (count.Unanswered.Count > 0)
        {
            message += $" Not every include could be read ({string.Join("; ", count.Unanswered)}), so the count is a lower bound.";
        }

        return Pass(SpfCheck, message + (cloudNote is null ? "" : " " + cloudNote), evidenceText);
    }

    /// <summary>
    /// Exchange Online's SPF include per cloud (docs/service-behaviour.md#national-clouds): GCC High and
    /// DoD use office365.us, 21Vianet partner.outlook.cn. Another environment (a custom one, the sandbox)
    /// is checked for the global cloud's, and the message says so.
    /// </summary>
    internal static (string Include, string? Note) SpfIncludeFor(string? environmentName) => (environmentName ?? "").Trim().ToUpperInvariant() switch
    {
        "" or "GLOBAL" => ("spf.protection.outlook.com", null),
        "USGOV" or "USGOVDOD" => ("spf.protection.office365.us", null),
        "CHINA" => ("spf.protection.partner.outlook.cn", null),
        _ => ("spf.protection.outlook.com", $"(Environment '{environmentName}' is not a Microsoft cloud with its own SPF include: the global cloud's include:spf.protection.outlook.com was expected.)"),
    };

    /// <summary>The record with the missing includes added (first) and +all made -all.</summary>
    private static string Corrected(SpfRecord record, IReadOnlyList<string> missingIncludes)
    {
        var terms = record.Terms.Where(t => !(t.IsModifier ? false : t.Name == "all")).Select(t => t.Text).ToList();
        terms.InsertRange(0, missingIncludes.Select(i => "include:" + i));
        var all = record.All;
        var allText = all is null ? (record.Redirect is null ? "-all" : null) : all.Qualifier == '+' ? "-all" : all.Text;
        if (allText is not null) terms.Add(allText);
        return "v=spf1 " + string.Join(" ", terms);
    }

    /// <summary>One record holding the senders of several: the expected includes first, every other mechanism once, then -all.</summary>
    private static string Merge(IReadOnlyList<SpfRecord> records, IReadOnlyList<string> includes)
    {
        var terms = includes.Select(i => "include:" + i).ToList();
        foreach (var term in records.SelectMany(r => r.Terms).Where(t => !t.IsModifier && t.Name != "all"))
        {
            if (!terms.Contains(term.Text, StringComparer.OrdinalIgnoreCase)) terms.Add(term.Text);
        }

        terms.Add("-all");
        return "v=spf1 " + string.Join(" ", terms);
    }

    // ---- Dkim ------------------------------------------------------------------------------

    private static readonly string[] Selectors = { "selector1", "selector2" };

    private static async Task<CheckResult> CheckDkimAsync(string domain, IDnsLookup dns, CancellationToken ct)
    {
        var answers = await Task.WhenAll(Selectors.Select(s => dns.CnameAsync($"{s}._domainkey.{domain}", ct))).ConfigureAwait(false);
        if (answers.FirstOrDefault(a => a.Kind == DnsAnswerKind.NoAnswer) is { } unanswered)
        {
            return Skipped(DkimCheck, NoAnswerMessage(unanswered.Problem), NoAnswerRemediation);
        }

        var evidence = new List<string>();
        var problems = new List<string>();
        for (var i = 0; i < Selectors.Length; i++)
        {
            var host = $"{Selectors[i]}._domainkey.{domain}";
            var target = answers[i].Cname;
            if (target is null)
            {
                evidence.Add($"{host}: no CNAME");
                problems.Add($"{host} has no CNAME record");
                continue;
            }

            evidence.Add($"{host} CNAME {target}");
            if (!IsMicrosoftDkimTarget(target))
            {
                problems.Add($"{host} points at {target}, not into Microsoft 365's DKIM domains (….onmicrosoft.com or ….dkim.mail.microsoft)");
            }
        }

        return problems.Count == 0
            ? Pass(DkimCheck, $"selector1 and selector2 of {domain} are CNAMEs into Microsoft 365's DKIM domains.", string.Join("; ", evidence))
            : Found(DkimCheck, CheckStatus.Warning, DiagnosisCatalog.DkimSelectorsMissing(domain, problems), string.Join("; ", evidence), null);
    }

    /// <summary>
    /// The loose match: the exact target carries tenant-specific parts (and, for domains added since
    /// May 2025, a partition letter and sometimes a random suffix), so it is never constructed
    /// (docs/service-behaviour.md#dns).
    /// </summary>
    internal static bool IsMicrosoftDkimTarget(string target)
    {
        var t = target.TrimEnd('.');
        return t.EndsWith(".onmicrosoft.com", StringComparison.OrdinalIgnoreCase) || t.EndsWith(".dkim.mail.microsoft", StringComparison.OrdinalIgnoreCase);
    }

    // ---- Dmarc -----------------------------------------------------------------------------

    private static async Task<CheckResult> CheckDmarcAsync(string domain, IDnsLookup dns, CancellationToken ct)
    {
        var host = "_dmarc." + domain;
        var answer = await dns.TxtAsync(host, ct).ConfigureAwait(false);
        if (answer.Kind == DnsAnswerKind.NoAnswer)
        {
            return Skipped(DmarcCheck, NoAnswerMessage(answer.Problem), NoAnswerRemediation);
        }

        var suggested = ZoneTxt(host, $"v=DMARC1; p=quarantine; pct=100; rua=mailto:dmarc-reports@{domain}");
        var records = answer.Txt.Where(IsDmarc).ToList();
        if (records.Count == 0)
        {
            var evidence = answer.Txt.Count == 0 ? $"no TXT record at {host}" : $"TXT at {host}: " + string.Join(" | ", answer.Txt);
            return Found(DmarcCheck, CheckStatus.Warning, DiagnosisCatalog.DmarcPolicyMissing(domain, $"is missing: there is no DMARC record at {host}", suggested), evidence, null);
        }

        if (records.Count > 1)
        {
            return Found(DmarcCheck, CheckStatus.Warning,
                DiagnosisCatalog.DmarcPolicyMissing(domain, $"is ignored: {host} has {records.Count} DMARC records, and receivers apply none when there is more than one", suggested),
                string.Join(" | ", records), null);
        }

        var tags = DmarcTags(records[0]);
        tags.TryGetValue("p", out var policy);
        policy = policy?.ToLowerInvariant();
        if (policy is "quarantine" or "reject")
        {
            var pct = tags.TryGetValue("pct", out var p) ? p : "100";
            var share = pct == "100" ? "" : $" (to {pct}% of failing mail)";
            return Pass(DmarcCheck, $"{host} names the policy p={policy}{share}.", records[0]);
        }

        var problem = policy switch
        {
            null => "names no policy (the record has no p= tag)",
            "none" => "is p=none: receivers only report, and deliver mail that fails as usual",
            _ => $"names an unknown policy p={policy}",
        };
        var line = policy is null ? suggested : ZoneTxt(host, WithPolicy(records[0], "quarantine"));
        return Found(DmarcCheck, CheckStatus.Warning, DiagnosisCatalog.DmarcPolicyMissing(domain, problem, line), records[0], null);
    }

    private static bool IsDmarc(string text)
    {
        var t = text.TrimStart();
        return t.StartsWith("v=DMARC1", StringComparison.OrdinalIgnoreCase) && (t.Length == 8 || t[8] == ';' || t[8] == ' ');
    }

    internal static Dictionary<string, string> DmarcTags(string record)
    {
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in record.Split(';'))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0) continue;
            var key = part.Substring(0, equals).Trim();
            if (!tags.ContainsKey(key)) tags[key] = part.Substring(equals + 1).Trim();
        }

        return tags;
    }

    /// <summary>The record with its p= tag set to <paramref name="policy"/>, the other tags kept.</summary>
    private static string WithPolicy(string record, string policy)
    {
        var parts = record.Split(';').Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
        var index = parts.FindIndex(p => p.StartsWith("p=", StringComparison.OrdinalIgnoreCase) || p.StartsWith("p ", StringComparison.OrdinalIgnoreCase));
        if (index >= 0) parts[index] = "p=" + policy; else parts.Insert(1, "p=" + policy);
        return string.Join("; ", parts);
    }

    // ---- helpers----------------------------------------------------------------------------

    private const string NoAnswerRemediation =
        "Check that the DNS server answers from this machine (firewall, VPN, -DnsServer host[:port]); run the check again, or pass -SkipDns to leave DNS out.";

    private static string NoAnswerMessage(string? problem) =>
        $"Not checked: {(problem ?? "the DNS server did not answer").TrimEnd('.')}.";

    /// <summary>-DnsServer values as endpoints (host names looked up, bounded); null: the system's resolvers.</summary>
    private async Task<(IReadOnlyList<IPEndPoint>? Servers, string? Problem)> ResolveServersAsync(IReadOnlyList<string>? values, CancellationToken ct)
    {
        if (values is null || values.Count == 0) return (null, null);
        var endpoints = new List<IPEndPoint>();
        foreach (var value in values)
        {
            if (!DnsResolver.TryParseServer(value, out var host, out var port, out var address, out var problem))
            {
                return (null, problem);
            }

            if (address is null)
            {
                IPAddress[] addresses;
                try
                {
                    addresses = await Dns.GetHostAddressesAsync(host!).WaitAsync(_options.QueryTimeout, _time, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or TimeoutException)
                {
                    return (null, $"the DNS server name '{host}' could not be resolved");
                }

                if (addresses.Length == 0) return (null, $"the DNS server name '{host}' could not be resolved");
                address = addresses[0];
            }

            endpoints.Add(new IPEndPoint(address, port));
        }

        return (endpoints, null);
    }

    private static bool TryNormalizeDomain(string? domain, out string name)
    {
        name = (domain ?? "").Trim().TrimEnd('.');
        var at = name.LastIndexOf('@');
        if (at >= 0) name = name.Substring(at + 1);
        try
        {
            name = new IdnMapping().GetAscii(name).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return false;
        }

        return name.Length is > 0 and <= 253 && name.Contains(".") && Uri.CheckHostName(name) == UriHostNameType.Dns;
    }

    /// <summary>A zone-file TXT line; text over 255 characters is split into several strings (RFC 1035 §3.3.14).</summary>
    internal static string ZoneTxt(string name, string text)
    {
        var strings = new List<string>();
        for (var i = 0; i < text.Length; i += 255)
        {
            strings.Add("\"" + text.Substring(i, Math.Min(255, text.Length - i)).Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"");
        }

        return $"{name}. 3600 IN TXT {string.Join(" ", strings)}";
    }

    private static IReadOnlyList<CheckResult> SkipAll(string message, string remediation) =>
        new[] { SpfCheck, DkimCheck, DmarcCheck }.Select(c => Skipped(c, message, remediation)).ToList();

    private static CheckResult Skipped(string check, string message, string remediation) =>
        new() { Check = check, Status = CheckStatus.Skipped, Message = message, Remediation = remediation };

    private static CheckResult Pass(string check, string message, string evidence) =>
        new() { Check = check, Status = CheckStatus.Pass, Message = message, Evidence = evidence };

    private static CheckResult Found(string check, CheckStatus status, Diagnosis diagnosis, string evidence, string? note) => new()
    {
        Check = check,
        Status = status,
        Message = note is null ? diagnosis.Cause : diagnosis.Cause + " " + note,
        Remediation = diagnosis.Remediation,
        DiagnosisCode = diagnosis.Code,
        Evidence = evidence,
    };
}

/// <summary>The bounds of a <see cref="DnsCheck"/>: per question and in all.</summary>
internal sealed class DnsCheckOptions
{
    public static readonly DnsCheckOptions Default = new();

    /// <summary>How long one attempt of one question may take (UDP, then TCP on truncation).</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Attempts after the first, per server.</summary>
    public int Retries { get; init; } = 1;

    /// <summary>The whole check (every question, every include) on the session's clock.</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromSeconds(20);
}
