using System;

namespace MailOAuth.Core.Mail;

/// <summary>How an app's Mail.Send reaches mailboxes (docs/service-behaviour.md#exchange-rbac).</summary>
public enum MailSendScopeKind
{
    /// <summary>No Mail.Send at all.</summary>
    None,

    /// <summary>The Entra application permission: any mailbox of the tenant.</summary>
    Tenant,

    /// <summary>An Exchange RBAC for Applications "Application Mail.Send" assignment scoped to mailboxes.</summary>
    Mailbox,
}

/// <summary>
/// The SendScope text Get-MailOAuthApp shows and Send-MailOAuthTest binds: <c>Tenant</c>, <c>None</c>, <c>Mailbox</c>
/// or <c>Mailbox: sender@contoso.com</c> (case-insensitive).
/// </summary>
public sealed class MailSendScope
{
    private MailSendScope(MailSendScopeKind kind, string? mailbox)
    {
        Kind = kind;
        Mailbox = mailbox;
    }

    public MailSendScopeKind Kind { get; }

    /// <summary>The mailbox the scope names ("Mailbox: x@y"); null when not named.</summary>
    public string? Mailbox { get; }

    public bool IsMailbox => Kind == MailSendScopeKind.Mailbox;

    public static bool TryParse(string? text, out MailSendScope? scope)
    {
        scope = null;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed)) return false;
        if (string.Equals(trimmed, "Tenant", StringComparison.OrdinalIgnoreCase)) scope = new(MailSendScopeKind.Tenant, null);
        else if (string.Equals(trimmed, "None", StringComparison.OrdinalIgnoreCase)) scope = new(MailSendScopeKind.None, null);
        else if (string.Equals(trimmed, "Mailbox", StringComparison.OrdinalIgnoreCase)) scope = new(MailSendScopeKind.Mailbox, null);
        else if (trimmed!.StartsWith("Mailbox:", StringComparison.OrdinalIgnoreCase))
        {
            var mailbox = trimmed.Substring("Mailbox:".Length).Trim();
            if (mailbox.Length == 0 || mailbox.IndexOf('@') <= 0 || mailbox.IndexOf(' ') >= 0) return false;
            scope = new(MailSendScopeKind.Mailbox, mailbox);
        }

        return scope is not null;
    }

    public override string ToString() => Kind == MailSendScopeKind.Mailbox && Mailbox is not null ? $"Mailbox: {Mailbox}" : Kind.ToString();
}
