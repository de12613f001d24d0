namespace MailOAuth.Output;

/// <summary>One check of Test-MailOAuthConfiguration: its stable name, status, what was seen and what to do.</summary>
public sealed class MailOAuthCheck
{
    internal MailOAuthCheck(string check, string status, string message, string? remediation, string diagnosisCode, string? evidence,
        string tenantId, string clientId, string senderAddress)
    {
        Check = check;
        Status = status;
        Message = message;
        Remediation = remediation;
        DiagnosisCode = diagnosisCode;
        Evidence = evidence;
        TenantId = tenantId;
        ClientId = clientId;
        SenderAddress = senderAddress;
    }

    /// <summary>The stable name of the check (Tenant, Credential, Permission, …): public API.</summary>
    public string Check { get; }
    /// <summary>Pass, Warning, Fail or Skipped.</summary>
    public string Status { get; }
    public string Message { get; }
    /// <summary>What to do about a Fail or Warning (what would enable a Skipped check is in its Message).</summary>
    public string? Remediation { get; }
    /// <summary>The diagnosis code of a Fail or Warning (as in error records); empty on Pass and Skipped.</summary>
    public string DiagnosisCode { get; }
    /// <summary>What was seen: the AADSTS number, the token's roles, days left, what the platform holds.</summary>
    public string? Evidence { get; }
    public string TenantId { get; }
    public string ClientId { get; }
    public string SenderAddress { get; }

    public override string ToString() => $"{Check}: {Status}";
}
