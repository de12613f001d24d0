using System;
using System.Collections.Generic;
using System.Security;

namespace MailOAuth.Core.Mail;

/// <summary>What Send-MailOAuthTest asks for.</summary>
public sealed class MailTestRequest
{
    public string TenantId { get; init; } = "";
    public string ClientId { get; init; } = "";
    public SecureString ClientSecret { get; init; } = new();
    public string SenderAddress { get; init; } = "";
    public IReadOnlyList<string> To { get; init; } = Array.Empty<string>();
    public string? Subject { get; init; }
    public string? Body { get; init; }
    /// <summary>A From address other than the mailbox (some platforms configure one); null = the mailbox.</summary>
    public string? From { get; init; }
    public string? EnvironmentName { get; init; }

    /// <summary>
    /// When the app's secret (and so its grant) was created, if known (piped from New-MailOAuthApp).
    /// A recent one means Exchange may still refuse the new grant for a while (docs/service-behaviour.md#replication).
    /// </summary>
    public DateTimeOffset? ProvisionedAt { get; init; }

    /// <summary>
    /// Send even when the token carries no Mail.Send role: tenants that scope Mail.Send with Exchange
    /// "RBAC for Applications" remove the tenant-wide Entra grant (docs/service-behaviour.md#exchange-rbac), so their tokens have no roles.
    /// </summary>
    public bool SkipRoleCheck { get; init; }

    /// <summary>How long to wait for Exchange to honour a recent grant.</summary>
    public TimeSpan? PropagationBudget { get; init; }

    /// <summary>
    /// How the app's Mail.Send is scoped (Get-MailOAuthApp's SendScope: "Tenant", "Mailbox: sender@…", "Mailbox", "None");
    /// null = not known. Mailbox means Exchange RBAC for Applications: the token has no Mail.Send role by design.
    /// </summary>
    public MailSendScope? SendScope { get; init; }

    /// <summary>When the Exchange assignment was made (the app's scope tag), if known.</summary>
    public DateTimeOffset? ScopeAssignedOn { get; init; }

    /// <summary>Prove the negative: the sender is outside the scope, so a 403 ErrorAccessDenied is the expected answer.</summary>
    public bool ExpectDenied { get; init; }
}

/// <summary>What Send-MailOAuthTest proved.</summary>
public enum MailTestOutcomeKind
{
    /// <summary>Graph accepted the message (202).</summary>
    Delivered,

    /// <summary>-ExpectDenied: Graph refused the out-of-scope mailbox with 403 ErrorAccessDenied, as it should.</summary>
    DeniedAsExpected,
}

/// <summary>A passed test: Graph accepted the message (202), or refused it as -ExpectDenied expected.</summary>
public sealed class MailTestOutcome
{
    public string TenantId { get; init; } = "";
    public string ClientId { get; init; } = "";
    public string SenderAddress { get; init; } = "";
    public string? From { get; init; }
    public IReadOnlyList<string> To { get; init; } = Array.Empty<string>();
    public string Subject { get; init; } = "";
    public DateTimeOffset SentAt { get; init; }
    public string? RequestId { get; init; }
    public string? ClientRequestId { get; init; }
    public IReadOnlyList<string> TokenRoles { get; init; } = Array.Empty<string>();
    public string Environment { get; init; } = "";
    public MailTestOutcomeKind Outcome { get; init; } = MailTestOutcomeKind.Delivered;
}
