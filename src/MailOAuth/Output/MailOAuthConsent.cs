namespace MailOAuth.Output;

/// <summary>The Mail.Send admin consent of an app after Grant-MailSendConsent.</summary>
public sealed class MailOAuthConsent
{
    internal MailOAuthConsent(string tenantId, string clientId, string servicePrincipalId, string resourceId, string appRoleId, string? assignmentId, bool alreadyGranted, bool verified, System.TimeSpan replicationWait,
        string sendScope, System.DateTimeOffset? scopeAssignedOn, string scopeStage)
    {
        SendScope = sendScope;
        ScopeStage = scopeStage;
        ScopeAssignedOn = scopeAssignedOn;
        ReplicationWait = replicationWait;
        TenantId = tenantId;
        ClientId = clientId;
        ServicePrincipalId = servicePrincipalId;
        ResourceId = resourceId;
        AppRoleId = appRoleId;
        AssignmentId = assignmentId;
        AlreadyGranted = alreadyGranted;
        Verified = verified;
    }

    /// <summary>Always "Granted" (a failure is an error, not a status).</summary>
    public string Status => "Granted";
    /// <summary>"Mail.Send (Application)" tenant-wide; "Mail.Send (Exchange RBAC)" when scoped to a mailbox.</summary>
    public string Permission => SendScope.StartsWith("Mailbox", System.StringComparison.Ordinal) ? "Mail.Send (Exchange RBAC)" : "Mail.Send (Application)";
    /// <summary>"Tenant" (any mailbox) or "Mailbox: sender@…" (Exchange RBAC for Applications). Binds into Send-MailOAuthTest.</summary>
    public string SendScope { get; }
    /// <summary>When the mailbox scope was first assigned (UTC): Exchange applies it 30 minutes to 2 hours later. Null when tenant-wide (and not staged).</summary>
    public System.DateTimeOffset? ScopeAssignedOn { get; }
    /// <summary>
    /// "Staged" (-KeepTenantGrant: the Exchange assignment is made but the tenant-wide grant kept, so SendScope is still "Tenant"; remove
    /// the grant after ScopeAssignedOn + 2 hours), "Enforced" (the mailbox scope is the app's only Mail.Send) or "None".
    /// </summary>
    public string ScopeStage { get; }
    public string TenantId { get; }
    public string ClientId { get; }
    public string ServicePrincipalId { get; }
    /// <summary>Microsoft Graph's service principal ID in this tenant.</summary>
    public string ResourceId { get; }
    /// <summary>Graph's Mail.Send app role; with a mailbox scope, the Exchange role definition "Application Mail.Send" of this tenant.</summary>
    public string AppRoleId { get; }
    /// <summary>The app role assignment; with a mailbox scope, the Exchange role assignment.</summary>
    public string? AssignmentId { get; }
    /// <summary>True when the grant already existed and nothing was written.</summary>
    public bool AlreadyGranted { get; }
    /// <summary>True when a fresh app token was seen carrying Mail.Send.</summary>
    public bool Verified { get; }
    /// <summary>Time this command spent waiting for Entra ID replication (and for the role to reach new tokens).</summary>
    public System.TimeSpan ReplicationWait { get; }

    public override string ToString() => SendScope.StartsWith("Mailbox", System.StringComparison.Ordinal)
        ? $"Mail.Send scoped to {SendScope.Substring(SendScope.IndexOf(':') + 1).Trim()} for {ClientId}"
        : ScopeStage == "Staged" ? $"Mail.Send granted to {ClientId}, mailbox scope staged" : $"Mail.Send granted to {ClientId}";
}
