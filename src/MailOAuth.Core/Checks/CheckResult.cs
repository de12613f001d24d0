namespace MailOAuth.Core.Checks;

/// <summary>The outcome of one check of Test-MailOAuthConfiguration.</summary>
public enum CheckStatus
{
    Pass,
    Warning,
    Fail,
    Skipped,
}

/// <summary>One check's result: a stable check name, its status, what was seen and what to do.</summary>
public sealed class CheckResult
{
    /// <summary>The stable name of the check (public API, like a diagnosis code).</summary>
    public string Check { get; init; } = "";
    public CheckStatus Status { get; init; }
    public string Message { get; init; } = "";
    public string? Remediation { get; init; }
    /// <summary>The catalogue's code for a Fail or Warning; null on Pass and Skipped.</summary>
    public Diagnostics.DiagnosisCode? DiagnosisCode { get; init; }
    /// <summary>What was seen: the AADSTS number, the roles in the token, the record found, days left.</summary>
    public string? Evidence { get; init; }
}
