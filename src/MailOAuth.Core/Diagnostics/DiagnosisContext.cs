namespace MailOAuth.Core.Diagnostics;

/// <summary>What the caller was doing, so that a diagnosis can name the objects involved.</summary>
public sealed class DiagnosisContext
{
    public string? TenantId { get; init; }
    public string? ClientId { get; init; }
    public string? SenderAddress { get; init; }
    public string? FromAddress { get; init; }
    public string? EnvironmentName { get; init; }

    /// <summary>The client secret given has the shape of a GUID: almost certainly the secret ID (docs/service-behaviour.md#aadsts-invalid-secret, #add-password).</summary>
    public bool SecretLooksLikeSecretId { get; init; }

    /// <summary>The permission (or role) the failed operation needed, to name it in InsufficientPrivileges.</summary>
    public string? RequiredPermission { get; init; }

    /// <summary>What a Graph 404 means here: the sender mailbox (sendMail, the default) or the application.</summary>
    public DiagnosisCode NotFoundCode { get; init; } = DiagnosisCode.SenderMailboxNotFound;

    /// <summary>What the failed call was doing, e.g. "create the application".</summary>
    public string? Operation { get; init; }

    /// <summary>Whether the access token used carried Mail.Send in its roles (null: not known).</summary>
    public bool? TokenHasMailSend { get; init; }
}
