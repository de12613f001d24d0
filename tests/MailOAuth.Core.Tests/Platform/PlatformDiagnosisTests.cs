using MailOAuth.Core.Diagnostics;
using Xunit;

namespace MailOAuth.Core.Tests.Platform;

/// <summary>
/// A failed platform test e-mail explained (pure): the platform's text is kept verbatim, and an AADSTS
/// number or a Graph error code inside it gives the same diagnosis Send-MailOAuthTest would.
/// And <see cref="Redaction.Scrub"/>, which keeps secrets a platform echoes out of messages.
/// </summary>
public sealed class PlatformDiagnosisTests
{
    private static readonly DiagnosisContext Context = new()
    {
        TenantId = "11111111-2222-3333-4444-555555555555",
        ClientId = "66666666-7777-8888-9999-000000000000",
        SenderAddress = "sender@contoso.com",
    };

    [Fact]
    public void A_relayed_AADSTS7000215_is_InvalidClientSecret_with_the_platform_text_verbatim()
    {
        const string text = "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '66666666-7777-8888-9999-000000000000'.";

        var d = DiagnosisCatalog.PlatformTestFailed("invalid_client", text, Context);

        Assert.Equal(DiagnosisCode.InvalidClientSecret, d.Code);
        Assert.Equal(DiagnosisKind.Authentication, d.Kind);
        Assert.Equal("AADSTS7000215", d.ServiceCode);
        Assert.Contains(text, d.Cause);
        Assert.Contains(Context.ClientId!, d.Cause);
        Assert.StartsWith("The platform's test e-mail failed:", d.Cause);
        Assert.Contains("secret's Value", d.Remediation);
    }

    [Fact]
    public void A_relayed_AADSTS7000222_without_a_code_is_ClientSecretExpired()
    {
        const string text = "AADSTS7000222: The provided client secret keys for app '66666666-7777-8888-9999-000000000000' are expired.";

        var d = DiagnosisCatalog.PlatformTestFailed(null, text, Context);

        Assert.Equal(DiagnosisCode.ClientSecretExpired, d.Code);
        Assert.Equal("AADSTS7000222", d.ServiceCode);
        Assert.Contains(text, d.Cause);
    }

    [Fact]
    public void A_relayed_AADSTS_number_wins_over_a_misleading_code()
    {
        var d = DiagnosisCatalog.PlatformTestFailed("MailboxNotEnabledForRESTAPI", "AADSTS700016: Application with identifier 'x' was not found in the directory 'Contoso'.", Context);

        Assert.Equal(DiagnosisCode.ApplicationNotFound, d.Code);
    }

    [Fact]
    public void Graph_ErrorAccessDenied_is_MailSendPermissionMissing()
    {
        const string text = "Access is denied. Check credentials and try again.";

        var d = DiagnosisCatalog.PlatformTestFailed("ErrorAccessDenied", text, Context);

        Assert.Equal(DiagnosisCode.MailSendPermissionMissing, d.Code);
        Assert.Equal("ErrorAccessDenied", d.ServiceCode);
        Assert.Contains(text, d.Cause);
        Assert.Contains("Mail.Send", d.Remediation);
    }

    [Fact]
    public void Graph_MailboxNotEnabledForRESTAPI_is_SenderMailboxNotLicensed()
    {
        const string text = "The mailbox is either inactive, soft-deleted, or is hosted on-premise.";

        var d = DiagnosisCatalog.PlatformTestFailed("MailboxNotEnabledForRESTAPI", text, Context);

        Assert.Equal(DiagnosisCode.SenderMailboxNotLicensed, d.Code);
        Assert.Contains(text, d.Cause);
        Assert.Contains(Context.SenderAddress!, d.Cause);
    }

    [Fact]
    public void Graph_ErrorInvalidUser_is_SenderMailboxNotFound()
    {
        var d = DiagnosisCatalog.PlatformTestFailed("ErrorInvalidUser", "The requested user 'nobody@contoso.com' is invalid.", Context);

        Assert.Equal(DiagnosisCode.SenderMailboxNotFound, d.Code);
    }

    [Theory]
    [InlineData("SMTPFailure", "Relay denied")]
    [InlineData(null, "Relay denied")]
    [InlineData("", "Relay denied")]
    [InlineData("NotConfigured", "SMTP Email Settings are not configured.")]
    public void Anything_else_is_PlatformTestFailed_with_the_platform_text_verbatim(string? code, string text)
    {
        var d = DiagnosisCatalog.PlatformTestFailed(code, text, Context);

        Assert.Equal(DiagnosisCode.PlatformTestFailed, d.Code);
        Assert.Equal(code, d.ServiceCode);
        Assert.Contains("The platform says: " + text, d.Cause);
        Assert.Contains("Send-MailOAuthTest", d.Remediation);
    }

    [Fact]
    public void A_GUID_shaped_secret_is_called_out_as_the_secret_ID_through_the_platform_too()
    {
        var context = new DiagnosisContext { ClientId = Context.ClientId, SecretLooksLikeSecretId = true };

        var d = DiagnosisCatalog.PlatformTestFailed("invalid_client", "AADSTS7000215: Invalid client secret provided.", context);

        Assert.Equal(DiagnosisCode.InvalidClientSecret, d.Code);
        Assert.Contains("secret *ID*", d.Cause);
    }

    // ---- Redaction.Scrub ----

    [Fact]
    public void Scrub_removes_every_secret_given_wherever_it_appears()
    {
        const string token = "plat-token-0123456789";
        const string secret = "Ab1~secretValue.xyz";
        var text = $"{{\"error\":\"bad token {token}\",\"echo\":{{\"clientSecret\":\"{secret}\",\"again\":\"{secret}\"}}}}";

        var scrubbed = Redaction.Scrub(text, token, secret);

        Assert.DoesNotContain(token, scrubbed);
        Assert.DoesNotContain(secret, scrubbed);
        Assert.Equal("{\"error\":\"bad token ***\",\"echo\":{\"clientSecret\":\"***\",\"again\":\"***\"}}", scrubbed);
    }

    [Fact]
    public void Scrub_ignores_null_empty_and_short_secrets()
    {
        const string text = "a bc abc said: the value is abcd";

        Assert.Equal(text, Redaction.Scrub(text, null, "", "a", "bc", "abc"));
        Assert.Equal("a bc abc said: the value is ***", Redaction.Scrub(text, null, "abcd"));
        Assert.Equal(text, Redaction.Scrub(text));
    }
}
