using System;
using System.Security;

namespace MailOAuth.Output;

/// <summary>
/// What Grant-MailSendConsent -PassThru writes: a new object (the piped one is never changed) with the
/// values the grant used — tenant, client ID, secret (SecureString) and when it was made — plus what it
/// carried on for the next command (sender, secret ID and hint), and the consent. Pipes into
/// Set-ResellerSmtpSetting and Send-MailOAuthTest.
/// </summary>
public sealed class MailOAuthConsentedApp
{
    internal MailOAuthConsentedApp(string tenantId, string clientId, SecureString? clientSecret, string? secretKeyId, string? secretHint,
        DateTimeOffset? secretCreatedOn, string? senderAddress, string environment, MailOAuthConsent consent)
    {
        TenantId = tenantId;
        ClientId = clientId;
        ClientSecret = clientSecret;
        SecretKeyId = secretKeyId;
        SecretHint = secretHint;
        SecretCreatedOn = secretCreatedOn;
        SenderAddress = senderAddress;
        Environment = environment;
        Consent = consent;
    }

    public string TenantId { get; }
    public string ClientId { get; }
    /// <summary>The secret the grant was proven with (null when none was given). Shown nowhere.</summary>
    public SecureString? ClientSecret { get; }
    public string? SecretKeyId { get; }
    public string? SecretHint { get; }
    /// <summary>When the secret (and with it the grant) was created: the next command then rides out propagation.</summary>
    public DateTimeOffset? SecretCreatedOn { get; }
    public string? SenderAddress { get; }
    /// <summary>The cloud of the connection the grant was made in.</summary>
    public string Environment { get; }
    /// <summary>The grant itself, as Grant-MailSendConsent writes it without -PassThru.</summary>
    public MailOAuthConsent Consent { get; }
    /// <summary>"Tenant" or "Mailbox: sender@…": Send-MailOAuthTest binds it to expect a token without Mail.Send.</summary>
    public string SendScope => Consent.SendScope;
    /// <summary>When the mailbox scope was first assigned (UTC); Send-MailOAuthTest binds it to tell "not applied yet".</summary>
    public DateTimeOffset? ScopeAssignedOn => Consent.ScopeAssignedOn;
    /// <summary>"Staged", "Enforced" or "None" (from the consent).</summary>
    public string ScopeStage => Consent.ScopeStage;

    public override string ToString() => Consent.ToString();
}
