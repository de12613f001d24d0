using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Azure.Identity;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Core.Http;
using MailOAuth.Core.Mail;
using MailOAuth.Core.Platform;
using MailOAuth.Core.Resilience;
using MailOAuth.Core.Tests.Entra;
using MailOAuth.Core.Tests.Platform;
using Microsoft.Graph.Models.ODataErrors;
using Xunit;

namespace MailOAuth.Core.Tests.Diagnostics;

/// <summary>
/// The catalogue as a whole: every code has one kind, a remediation and a README row; no other file
/// builds a diagnosis; and the one exception entry point tells a service answer, no answer and a
/// defect apart.
/// </summary>
public sealed class DiagnosisCatalogTests
{
    private static readonly DiagnosisContext Context = new() { TenantId = "contoso.com", ClientId = "11111111-1111-1111-1111-111111111111", SenderAddress = "a@contoso.com", Operation = "do the thing" };

    private static Diagnosis Graph(int status, string code, DiagnosisContext? context = null) =>
        DiagnosisCatalog.Explain(ServiceError.FromGraphParts(status, code, "message", "req", null), context ?? Context);

    private static Diagnosis Entra(int status, int aadsts) =>
        DiagnosisCatalog.Explain(ServiceError.FromEntraParts(status, aadsts, "invalid_client", "message"), Context);

    /// <summary>One diagnosis per code, made the way the product makes it. A new code fails the walk until it has one.</summary>
    private static readonly Dictionary<DiagnosisCode, Func<Diagnosis>> Samples = new()
    {
        [DiagnosisCode.TenantNotFound] = () => Entra(400, 90002),
        [DiagnosisCode.ApplicationNotFound] = () => DiagnosisCatalog.AppNotFoundByClientId("id", "tenant", AppLookup.Read),
        [DiagnosisCode.InvalidClientSecret] = () => Entra(401, 7000215),
        [DiagnosisCode.ClientSecretExpired] = () => Entra(401, 7000222),
        [DiagnosisCode.MailSendPermissionMissing] = () => DiagnosisCatalog.TokenLacksMailSend(Context, "none"),
        [DiagnosisCode.MailboxAccessDenied] = () => Graph(403, "ErrorAccessDenied", new DiagnosisContext { TokenHasMailSend = true }),
        [DiagnosisCode.SenderMailboxNotFound] = () => DiagnosisCatalog.SenderUserNotFound("a@contoso.com", "tenant"),
        [DiagnosisCode.SenderMailboxNotLicensed] = () => DiagnosisCatalog.SenderIsGuest("a@contoso.com"),
        [DiagnosisCode.SendAsDenied] = () => Graph(403, "ErrorSendAsDenied"),
        [DiagnosisCode.ConditionalAccessBlocked] = () => Entra(400, 53003),
        [DiagnosisCode.SecretLifetimeNotAllowed] = () => Graph(400, "CredentialInvalidLifetimeAsPerAppPolicy"),
        [DiagnosisCode.InsufficientPrivileges] = () => Graph(403, "Authorization_RequestDenied"),
        [DiagnosisCode.Throttled] = () => DiagnosisCatalog.PlatformUnavailable(429, "busy", null),
        [DiagnosisCode.ServiceUnavailable] = () => DiagnosisCatalog.PlatformUnavailable(503, "down", null),
        [DiagnosisCode.NetworkFailure] = () => DiagnosisCatalog.NetworkFailure(null, "refused"),
        [DiagnosisCode.PlatformAuthenticationFailed] = () => DiagnosisCatalog.PlatformAuthenticationFailed(401, "no", false),
        [DiagnosisCode.PlatformRejectedSettings] = () => DiagnosisCatalog.PlatformRejectedSettings(422, "-SenderAddress: bad"),
        [DiagnosisCode.PlatformTestFailed] = () => DiagnosisCatalog.PlatformTestFailed(null, "failed", Context),
        [DiagnosisCode.NotConnected] = DiagnosisCatalog.NotConnected,
        [DiagnosisCode.AppNameConflict] = () => DiagnosisCatalog.AppNameConflict("Email OAuth", "id", true),
        [DiagnosisCode.ReplicationTimeout] = () => DiagnosisCatalog.ReplicationTimeout("the app", TimeSpan.FromSeconds(5)),
        [DiagnosisCode.UnexpectedResponse] = () => Graph(400, "SomethingNew"),
        [DiagnosisCode.InternalError] = () => DiagnosisCatalog.InternalError(new InvalidOperationException(), "do the thing"),
        [DiagnosisCode.UnknownEnvironment] = () => DiagnosisCatalog.UnknownEnvironment("Mars", "Global"),
        [DiagnosisCode.AppNotManaged] = () => DiagnosisCatalog.AppNotManaged("Someone's", "id", "contoso.com", "it was not deleted"),
        [DiagnosisCode.InvalidSignInInput] = () => DiagnosisCatalog.CertificateUnreadable("cert.pfx", fileUnreadable: false),
        [DiagnosisCode.SecretInUse] = () => DiagnosisCatalog.SecretInUse("id", "key", "Ab1", "https://portal.example.com/", ambiguous: false),
        [DiagnosisCode.SecretNotFound] = () => DiagnosisCatalog.SecretNotFound("id", "key"),
        [DiagnosisCode.PlatformAppMismatch] = () => DiagnosisCatalog.PlatformAppMismatch("id", "https://portal.example.com/", "other"),
        [DiagnosisCode.AppNotSingleTenant] = () => DiagnosisCatalog.AppNotSingleTenant("id", "AzureADMultipleOrgs"),
        [DiagnosisCode.PlatformSettingsMismatch] = () => DiagnosisCatalog.PlatformSettingsMismatch("it holds client ID x, not y"),
        [DiagnosisCode.DnsRecordProblem] = () => DiagnosisCatalog.SpfRecordMissing("contoso.com", "contoso.com. 3600 IN TXT \"v=spf1 include:spf.protection.outlook.com -all\""),
        [DiagnosisCode.MailboxScopeNotYetApplied] = () => DiagnosisCatalog.MailboxScopeNotYetApplied(Graph(403, "ErrorAccessDenied"), Context,
            new DateTimeOffset(2026, 12, 2, 7, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 2, 7, 12, 30, TimeSpan.Zero)),
        [DiagnosisCode.MailboxScopeNotEnforced] = () => DiagnosisCatalog.MailboxScopeNotEnforced(Context, tokenHadMailSend: true, "req"),
        [DiagnosisCode.KeyVaultUriInvalid] = () => DiagnosisCatalog.KeyVaultUriInvalid(new Uri("https://kv1.vault.usgovcloudapi.net"), "not a vault of this cloud", new MailOAuth.Core.Cloud.EnvironmentRegistry().Get("Global")),
        [DiagnosisCode.KeyVaultAccessDenied] = () => DiagnosisCatalog.KeyVaultAccessDenied(new Uri("https://kv1.vault.azure.net"), "Email-OAuth", "3f8a6c2e-7d41-4b9a-9e0f-5c2d8b1a4e67", 403, "Forbidden"),
        [DiagnosisCode.KeyVaultNotFound] = () => DiagnosisCatalog.KeyVaultNotFound(new Uri("https://kv1.vault.azure.net"), nameUnresolved: true, 0, null),
        [DiagnosisCode.KeyVaultRejected] = () => DiagnosisCatalog.KeyVaultRejected(new Uri("https://kv1.vault.azure.net"), "Email-OAuth", 400, "BadParameter"),
        [DiagnosisCode.KeyVaultCredentialUnavailable] = () => DiagnosisCatalog.KeyVaultCredentialUnavailable(new Uri("https://kv1.vault.azure.net")),
        [DiagnosisCode.MailSendTenantWide] = () => DiagnosisCatalog.MailSendTenantWide("id", "a@contoso.com", throughExchange: false),
        [DiagnosisCode.KeyVaultParameterMissing] = DiagnosisCatalog.KeyVaultParameterMissing,
        [DiagnosisCode.SenderAddressRequired] = DiagnosisCatalog.SenderAddressRequired,
        [DiagnosisCode.KeepTenantGrantNeedsMailboxScope] = DiagnosisCatalog.KeepTenantGrantNeedsMailboxScope,
        [DiagnosisCode.ExpectDeniedWithoutScope] = () => DiagnosisCatalog.ExpectDeniedWithoutScope("id", "a@contoso.com", "Tenant"),
    };

    public static TheoryData<DiagnosisCode> Codes()
    {
        var data = new TheoryData<DiagnosisCode>();
        foreach (DiagnosisCode code in Enum.GetValues(typeof(DiagnosisCode))) data.Add(code);
        return data;
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_code_has_one_kind_a_remediation_and_a_README_row(DiagnosisCode code)
    {
        var kind = DiagnosisCatalog.KindOf(code);
        Assert.True(Enum.IsDefined(typeof(DiagnosisKind), kind));

        Assert.True(Samples.TryGetValue(code, out var make), $"{code} has no sample diagnosis in this test");
        var diagnosis = make!();
        Assert.Equal(code, diagnosis.Code);
        Assert.Equal(kind, diagnosis.Kind);
        Assert.False(string.IsNullOrWhiteSpace(diagnosis.Remediation), $"{code} has no remediation");
        Assert.False(string.IsNullOrWhiteSpace(diagnosis.Cause));

        Assert.Contains(code.ToString(), ReadmeCodes());
    }

    /// <summary>The codes named in the first column of README.md's diagnosis-code table.</summary>
    private static HashSet<string> ReadmeCodes()
    {
        var readme = File.ReadAllLines(Path.Combine(PlatformProfileTests.RepoRoot(), "README.md"));
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in readme.Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
            foreach (Match m in Regex.Matches(line.Split('|')[1], "`(\\w+)`")) codes.Add(m.Groups[1].Value);
        return codes;
    }

    [Fact]
    public void MailSendTenantWide_says_the_app_can_send_as_any_mailbox_and_names_the_scoping_command()
    {
        var graph = DiagnosisCatalog.MailSendTenantWide("11111111-1111-1111-1111-111111111111", "a@contoso.com", throughExchange: false);
        var exchange = DiagnosisCatalog.MailSendTenantWide("11111111-1111-1111-1111-111111111111", "a@contoso.com", throughExchange: true);

        Assert.Equal(DiagnosisKind.Configuration, graph.Kind);
        Assert.Contains("can send as any mailbox", graph.Cause);
        Assert.Contains("Grant-MailSendConsent -ClientId 11111111-1111-1111-1111-111111111111 -Scope Mailbox -SenderAddress a@contoso.com", graph.Remediation);
        Assert.Contains("scope '/'", exchange.Cause);
        Assert.Contains("-Scope Mailbox", exchange.Remediation);
    }

    [Fact]
    public void A_staged_scope_stays_MailSendTenantWide_and_says_the_assignment_exists_and_from_when_the_grant_can_go()
    {
        var assigned = new DateTimeOffset(2026, 12, 2, 7, 41, 0, TimeSpan.Zero);
        var within = DiagnosisCatalog.MailSendTenantWideStaged("11111111-1111-1111-1111-111111111111", "a@contoso.com", "a@contoso.com", assigned, assigned.AddMinutes(30));
        var after = DiagnosisCatalog.MailSendTenantWideStaged("11111111-1111-1111-1111-111111111111", "a@contoso.com", "a@contoso.com", assigned, assigned.AddHours(3));
        var other = DiagnosisCatalog.MailSendTenantWideStaged("11111111-1111-1111-1111-111111111111", "a@contoso.com", "b@contoso.com", assigned, assigned.AddHours(3));

        Assert.Equal(DiagnosisCode.MailSendTenantWide, within.Code);
        Assert.Contains("can send as any mailbox", within.Cause);
        Assert.Contains("staged", within.Cause);
        Assert.Contains("assignment for mailbox a@contoso.com exists since 2026-12-02 07:41 UTC", within.Cause);
        Assert.Contains("After 2026-12-02 09:41 UTC", within.Remediation);
        Assert.Contains("without -KeepTenantGrant", within.Remediation);
        Assert.Contains("now", after.Remediation);
        Assert.DoesNotContain("After 2026", after.Remediation);
        Assert.Contains("not the sender", other.Cause);
        Assert.Contains("-SenderAddress a@contoso.com -KeepTenantGrant", other.Remediation);
    }

    [Fact]
    public void Removing_a_grant_the_platform_may_still_need_is_refused_with_the_time_the_gap_would_last_and_the_two_step_way()
    {
        var now = new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
        var first = DiagnosisCatalog.TenantGrantStillNeeded("11111111-1111-1111-1111-111111111111", "a@contoso.com", null, now);
        var young = DiagnosisCatalog.TenantGrantStillNeeded("11111111-1111-1111-1111-111111111111", "a@contoso.com", now.AddMinutes(-45), now);

        Assert.Equal(DiagnosisCode.MailboxScopeNotYetApplied, first.Code);
        Assert.Equal(DiagnosisKind.Transient, first.Kind);
        Assert.Contains("2026-12-02 10:00 UTC", first.Cause);
        Assert.Contains("Nothing was changed", first.Cause);
        Assert.Contains("-KeepTenantGrant now", first.Remediation);
        Assert.Contains("-Force", first.Remediation);
        Assert.Contains("45 minutes ago", young.Cause);
        Assert.Contains("after 2026-12-02 09:15 UTC", young.Remediation);
    }

    [Fact]
    public void Without_RoleManagement_ReadWrite_Exchange_the_refusal_names_the_permission_and_the_Exchange_admin_role()
    {
        var app = DiagnosisCatalog.ExchangeRbacPermissionMissing("tenant", signedInAsUser: false, "scoping Mail.Send to a mailbox");
        var user = DiagnosisCatalog.ExchangeRbacPermissionMissing("tenant", signedInAsUser: true, "scoping Mail.Send to a mailbox");

        Assert.Equal(DiagnosisCode.InsufficientPrivileges, app.Code);
        foreach (var d in new[] { app, user })
        {
            Assert.Contains("RoleManagement.ReadWrite.Exchange", d.Cause);
            Assert.Contains("Exchange Administrator", d.Cause);
            Assert.Contains("Organization Management", d.Cause);
            Assert.Contains("Nothing was changed", d.Cause);
        }
        Assert.Contains("application permission RoleManagement.ReadWrite.Exchange", app.Remediation);
        Assert.Contains("Connect-MailOAuth -ExchangeRbac", user.Remediation);
    }

    [Fact]
    public void The_Exchange_OData_error_body_is_read_as_the_code_and_message()
    {
        const string body = """{"odata.error":{"code":"-1, InvalidOperationException","message":{"lang":"en-US","value":"Invalid request"}}}""";

        var error = ServiceError.FromGraph(400, body, "req-1");
        var d = DiagnosisCatalog.Explain(error, Context);

        Assert.Equal("-1, InvalidOperationException", error.Error);
        Assert.Equal("Invalid request", error.Message);
        Assert.Equal("req-1", error.RequestId);
        Assert.Equal(DiagnosisCode.UnexpectedResponse, d.Code);
        Assert.Equal("-1, InvalidOperationException", d.ServiceCode);
        Assert.Contains("Invalid request", d.Message);
    }

    [Fact]
    public void A_scope_not_yet_applied_says_how_long_ago_when_to_try_once_more_and_keeps_the_evidence()
    {
        var assigned = new DateTimeOffset(2026, 12, 2, 7, 0, 0, TimeSpan.Zero);
        var d = DiagnosisCatalog.MailboxScopeNotYetApplied(Graph(403, "ErrorAccessDenied"), Context, assigned, assigned.AddMinutes(12.5));

        Assert.Equal(DiagnosisKind.Transient, d.Kind);
        Assert.Contains("12 minutes ago", d.Cause);
        Assert.Contains("30 minutes to 2 hours", d.Cause);
        Assert.Contains("2026-12-02 09:00 UTC", d.Remediation); // assignment + 2 h
        Assert.Contains("2026-12-02 07:30 UTC", d.Remediation); // the lower end, still ahead
        Assert.Contains("stale deny", d.Remediation);
        Assert.Equal("ErrorAccessDenied", d.ServiceCode);
        Assert.Equal(403, d.HttpStatus);
        Assert.Equal("req", d.RequestId);
    }

    [Fact]
    public void A_scoped_denial_for_a_mailbox_outside_the_named_scope_names_both_mailboxes()
    {
        var d = DiagnosisCatalog.ScopedMailboxAccessDenied(Graph(403, "ErrorAccessDenied"), Context, "sender@contoso.com", null, DateTimeOffset.UtcNow);

        Assert.Equal(DiagnosisCode.MailboxAccessDenied, d.Code);
        Assert.Contains("'sender@contoso.com'", d.Cause);
        Assert.Contains("'a@contoso.com' is outside that scope", d.Cause);
        Assert.Contains("Get-MailOAuthApp shows SendScope", d.Remediation);
    }

    [Fact]
    public void Only_the_catalogue_builds_a_diagnosis()
    {
        var src = Path.Combine(PlatformProfileTests.RepoRoot(), "src");
        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Where(f => !Path.GetFileName(f).StartsWith("DiagnosisCatalog", StringComparison.Ordinal))
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"new\s+Diagnosis\s*\(|new\s*\(\s*DiagnosisCode\."))
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void An_unforeseen_exception_is_InternalError_naming_its_type_and_the_operation_not_its_text()
    {
        var d = DiagnosisCatalog.Explain(new InvalidOperationException("addPassword answered without a credential, token=abc"), Context, new Uri("https://graph.microsoft.com"));

        Assert.Equal(DiagnosisCode.InternalError, d.Code);
        Assert.Equal(DiagnosisKind.Defect, d.Kind);
        Assert.Contains("System.InvalidOperationException", d.Message);
        Assert.Contains("do the thing", d.Message);
        Assert.Contains("defect of MailOAuth", d.Message);
        Assert.DoesNotContain("token=abc", d.Message);
        Assert.Contains("issue tracker", d.Remediation);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("socket")]
    [InlineData("timeout")]
    public void No_answer_is_NetworkFailure(string form)
    {
        Exception ex = form switch
        {
            "http" => new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused)),
            "socket" => new SocketException((int)SocketError.HostNotFound),
            _ => new TaskCanceledException("The operation was canceled."),
        };

        var d = DiagnosisCatalog.Explain(ex, Context, new Uri("https://login.microsoftonline.com"));

        Assert.Equal(DiagnosisCode.NetworkFailure, d.Code);
        Assert.Contains("login.microsoftonline.com", d.Message);
    }

    [Fact]
    public void A_Graph_answer_is_explained_by_its_code()
    {
        var answer = new ODataError { ResponseStatusCode = 403, Error = new MainError { Code = "Authorization_RequestDenied", Message = "Insufficient privileges." } };

        var d = DiagnosisCatalog.Explain(answer, Context);

        Assert.Equal(DiagnosisCode.InsufficientPrivileges, d.Code);
        Assert.Equal(403, d.HttpStatus);
    }

    [Fact]
    public void An_Entra_answer_relayed_as_text_by_Azure_Identity_is_explained_by_its_AADSTS_number()
    {
        var ex = new AuthenticationFailedException("ClientSecretCredential authentication failed: AADSTS7000215: Invalid client secret provided.");

        var d = DiagnosisCatalog.Explain(ex, Context);

        Assert.Equal(DiagnosisCode.InvalidClientSecret, d.Code);
        Assert.Equal("AADSTS7000215", d.ServiceCode);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("-Infinity")]
    public void An_unreadable_Retry_After_is_no_Retry_After(string raw) =>
        Assert.Null(RetryPolicy.ParseRetryAfter(raw, DateTimeOffset.UtcNow));

    [Theory]
    [InlineData("http://graph.example/v1.0/me", true)]
    [InlineData("https://graph.example/v1.0/me", false)]
    public async Task A_redirect_to_plain_http_is_refused_and_explained(string location, bool refused)
    {
        var stub = new StubHandler(_ =>
        {
            var r = new HttpResponseMessage(HttpStatusCode.TemporaryRedirect);
            r.Headers.Location = new Uri(location);
            return r;
        });
        using var client = new HttpClient(HttpStack.Chain(new DelegatingHandler[] { new InsecureRedirectGuard() }, stub));

        if (!refused)
        {
            using var passed = await client.GetAsync("https://graph.example/v1.0/users");
            Assert.Equal(HttpStatusCode.TemporaryRedirect, passed.StatusCode);
            return;
        }
        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => client.GetAsync("https://graph.example/v1.0/users"));
        Assert.Equal(DiagnosisCode.UnexpectedResponse, ex.Code);
        Assert.Equal(307, ex.Diagnosis.HttpStatus);
        Assert.Contains("not https", ex.Message);
    }

    private sealed class StubHandler : HttpMessageHandler
    {
        private readonly Func<HttpRequestMessage, HttpResponseMessage> _answer;
        public StubHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) => _answer = answer;
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(_answer(request));
    }
}
