namespace MailOAuth.Output;

/// <summary>The Mail.Send admin consent of an app after Grant-MailSendConsent.</summary>
public sealed class MailOAuthConsent
{
    internal MailOAuthConsent(string tenantId, string clientId, string servicePrincipalId, string resourceId, string appRoleId, string? assignmentId, bool alreadyGranted, bool verified, System.TimeSpan replicationWait)
    {
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
    public string Permission => "Mail.Send (Application)";
    public string TenantId { get; }
    public string ClientId { get; }
    public string ServicePrincipalId { get; }
    /// <summary>Microsoft Graph's service principal ID in this tenant.</summary>
    public string ResourceId { get; }
    public string AppRoleId { get; }
    public string? AssignmentId { get; }
    /// <summary>True when the grant already existed and nothing was written.</summary>
    public bool AlreadyGranted { get; }
    /// <summary>True when a fresh app token was seen carrying Mail.Send.</summary>
    public bool Verified { get; }
    /// <summary>Time this command spent waiting for Entra ID replication (and for the role to reach new tokens).</summary>
    public System.TimeSpan ReplicationWait { get; }

    public override string ToString() => $"Mail.Send granted to {ClientId}";
}
