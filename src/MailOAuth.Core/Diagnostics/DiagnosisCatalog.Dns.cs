using System.Collections.Generic;

namespace MailOAuth.Core.Diagnostics;

/// <summary>
/// The explanations of the Spf, Dkim and Dmarc checks (Fail and Warning alike carry DnsRecordProblem).
/// Each remediation ends in zone-file lines an admin can paste (name with a trailing dot, TTL 3600).
/// Record forms: Microsoft's email authentication guidance (docs/service-behaviour.md#dns).
/// </summary>
public static partial class DiagnosisCatalog
{
    /// <summary>No SPF record at the domain: receivers cannot tell Exchange Online is allowed to send for it.</summary>
    public static Diagnosis SpfRecordMissing(string domain, string zoneLine) => new(
        DiagnosisCode.DnsRecordProblem,
        $"{domain} has no SPF record (a TXT record starting with v=spf1): receivers cannot tell that Microsoft 365 may send mail for it, and more of its mail lands in spam.",
        $"Publish one SPF record at {domain} in its DNS zone:\n{zoneLine}");

    /// <summary>Two or more SPF records: a permerror at every receiver, as if there were none.</summary>
    public static Diagnosis SpfRecordDuplicated(string domain, int count, string mergedZoneLine) => new(
        DiagnosisCode.DnsRecordProblem,
        $"{domain} has {count} SPF records; a domain may have only one, so receivers treat its SPF as a permanent error (RFC 7208 §4.5).",
        $"Replace the {count} SPF TXT records at {domain} with one that holds all their senders, for example:\n{mergedZoneLine}");

    /// <summary>An SPF record with problems (missing include, +all, too many lookups, a broken include).</summary>
    public static Diagnosis SpfRecordBroken(string domain, IReadOnlyList<string> problems, string correctedZoneLine, string? advice) => new(
        DiagnosisCode.DnsRecordProblem,
        $"The SPF record of {domain} {string.Join("; it ", problems)}.",
        $"Replace the SPF TXT record at {domain} with:\n{correctedZoneLine}" + (advice is null ? "" : "\n" + advice));

    /// <summary>DKIM selectors missing or not pointing at Microsoft: Microsoft 365 then signs with the onmicrosoft.com domain.</summary>
    public static Diagnosis DkimSelectorsMissing(string domain, IReadOnlyList<string> problems) => new(
        DiagnosisCode.DnsRecordProblem,
        $"DKIM for {domain} is not set up for Microsoft 365: {string.Join("; ", problems)}. Microsoft 365 then signs with the onmicrosoft.com domain, which is not aligned with the From domain for DMARC.",
        $"In Exchange Online PowerShell run Get-DkimSigningConfig -Identity {domain} | Format-List Selector1CNAME,Selector2CNAME " +
        $"(no configuration yet: New-DkimSigningConfig -DomainName {domain} -Enabled $false), publish the two CNAME records with the values it shows, " +
        $"then run Set-DkimSigningConfig -Identity {domain} -Enabled $true:\n" +
        $"selector1._domainkey.{domain}. 3600 IN CNAME <Selector1CNAME value>.\n" +
        $"selector2._domainkey.{domain}. 3600 IN CNAME <Selector2CNAME value>.");

    /// <summary>No DMARC record, several, or one that names no enforcing policy.</summary>
    public static Diagnosis DmarcPolicyMissing(string domain, string problem, string zoneLine) => new(
        DiagnosisCode.DnsRecordProblem,
        $"The DMARC policy of {domain} {problem}: receivers are not told what to do with mail that fails SPF and DKIM for it.",
        $"Publish one DMARC record at _dmarc.{domain} (use a report mailbox that exists; p=none only while you monitor the reports, then quarantine, then reject):\n{zoneLine}");
}
