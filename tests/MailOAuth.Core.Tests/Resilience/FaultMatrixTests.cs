using System.Net.Http.Json;
using System.Text.Json;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Core.Mail;
using MailOAuth.Core.Platform;
using MailOAuth.Core.Tests.Entra;
using Xunit;
using Xunit.Abstractions;

namespace MailOAuth.Core.Tests.Resilience;

/// <summary>
/// The fault matrix: every step of the onboarding (token, app, service principal, secret, grant, platform
/// save, platform test, sendMail) × every transient fault (429 with Retry-After in seconds, fractions and
/// an HTTP date; 503; 504; a reset; a reset after the request took effect; latency), once and fifty times.
/// Each run either completes or fails with a transient diagnosis (never a defect or an unexplained
/// answer), sends no e-mail twice, leaves no secret whose value nobody holds, and a re-run without the
/// fault converges: one app, one service principal, one grant, no secret deleted. Each case writes one
/// row to fault-matrix.tsv beside the test assembly.
/// </summary>
public sealed class FaultMatrixTests : IClassFixture<CoreSandboxFixture>, IAsyncLifetime
{
    private static readonly object s_rowsGate = new();
    private readonly CoreSandboxFixture _sandbox;
    private readonly ITestOutputHelper _output;
    private readonly List<MailOAuthSession> _sessions = new();

    public FaultMatrixTests(CoreSandboxFixture sandbox, ITestOutputHelper output)
    {
        _sandbox = sandbox;
        _output = output;
    }

    public async Task InitializeAsync()
    {
        await _sandbox.ResetPlatformAsync();
        await _sandbox.ResetAsync();
    }

    public Task DisposeAsync()
    {
        foreach (var s in _sessions) s.Dispose();
        return Task.CompletedTask;
    }

    private static readonly Dictionary<string, (string Pattern, string? Method)> s_steps = new()
    {
        ["token"] = ("/oauth2/v2.0/token$", "POST"),
        ["app"] = (@"^/v1\.0/applications\(uniqueName=", "PATCH"),
        ["servicePrincipal"] = (@"^/v1\.0/servicePrincipals\(appId=", "PATCH"),
        ["addPassword"] = ("/addPassword$", "POST"),
        ["grant"] = ("/appRoleAssignedTo$", "POST"),
        ["platformSave"] = ("/api/v1/reseller/smtp-settings$", "PUT"),
        ["platformTest"] = ("/smtp-settings/test$", "POST"),
        ["sendMail"] = ("/sendMail$", "POST"),
    };

    private static readonly string[] s_faults = { "429 s", "429 fraction", "429 date", "503", "504", "reset", "reset after processing", "latency" };

    /// <summary>What a fault may turn into when it persists: transient, never a defect or an unknown answer.</summary>
    private static readonly DiagnosisCode[] s_transient =
        { DiagnosisCode.Throttled, DiagnosisCode.ServiceUnavailable, DiagnosisCode.NetworkFailure, DiagnosisCode.ReplicationTimeout };

    public static TheoryData<string, string, int> Cases()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var step in s_steps.Keys)
            foreach (var fault in s_faults)
                foreach (var count in new[] { 1, 50 })
                    data.Add(step, fault, count);
        return data;
    }

    private static object Fault(string step, string fault, int count)
    {
        var (pattern, method) = s_steps[step];
        return fault switch
        {
            "429 s" => new { pathPattern = pattern, method, status = 429, retryAfter = "0", count },
            "429 fraction" => new { pathPattern = pattern, method, status = 429, retryAfter = "0.01", count },
            "429 date" => (object)new { pathPattern = pattern, method, status = 429, retryAfter = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("r"), count },
            "503" => new { pathPattern = pattern, method, status = 503, retryAfter = "0", count },
            "504" => new { pathPattern = pattern, method, status = 504, count },
            "reset" => new { pathPattern = pattern, method, status = 0, count },
            "reset after processing" => new { pathPattern = pattern, method, status = 0, afterProcessing = true, count },
            _ => new { pathPattern = pattern, method, latencyMs = 30, count },
        };
    }

    private MailOAuthSession Session()
    {
        var session = _sandbox.NewSession();
        _sessions.Add(session);
        return session;
    }

    private sealed record RunResult(string? FailedStep, DiagnosisCode? Code, NewAppOutcome? App);

    /// <summary>The onboarding, step after step as the pipeline runs it, stopping at the first failure.</summary>
    private async Task<RunResult> OnboardAsync(MailOAuthSession session, string name)
    {
        var info = _sandbox.Info;
        var target = new PlatformTarget(new Uri(info.Platform.Uri), SecretText.Protect(info.Platform.ApiToken), null);
        NewAppOutcome? app = null;
        var step = "new";
        try
        {
            app = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = name, SenderAddress = info.Mailboxes.Licensed, ReplicationBudget = TimeSpan.FromSeconds(20) }, CoreSandboxFixture.Timeout(60));
            step = "grant";
            await new ConsentService(session).GrantAsync(new GrantRequest
            {
                ClientId = app.ClientId, ClientSecret = app.ClientSecret, SecretCreatedOn = app.SecretCreatedOn, ReplicationBudget = TimeSpan.FromSeconds(20),
            }, CoreSandboxFixture.Timeout(60));
            step = "platformSave";
            await new PlatformClient(session).SetAsync(target, new SmtpSettingsInput
            {
                TenantId = app.TenantId, ClientId = app.ClientId, ClientSecret = app.ClientSecret, SenderAddress = info.Mailboxes.Licensed,
            }, CoreSandboxFixture.Timeout(60));
            step = "platformTest";
            await new PlatformClient(session).TestAsync(target, new[] { "platform-test@contoso.com" }, app.SecretCreatedOn, TimeSpan.FromSeconds(20), CoreSandboxFixture.Timeout(60));
            step = "sendMail";
            await new MailTestService(session).SendAsync(new MailTestRequest
            {
                TenantId = app.TenantId, ClientId = app.ClientId, ClientSecret = app.ClientSecret, SenderAddress = info.Mailboxes.Licensed,
                To = new[] { "module-test@contoso.com" }, EnvironmentName = CoreSandboxFixture.EnvironmentName,
                ProvisionedAt = app.SecretCreatedOn, PropagationBudget = TimeSpan.FromSeconds(20),
            }, CoreSandboxFixture.Timeout(60));
            return new RunResult(null, null, app);
        }
        catch (MailOAuthException ex)
        {
            return new RunResult(step, ex.Code, app);
        }
    }

    private async Task<List<JsonElement>> OutboxAsync()
    {
        using var json = JsonDocument.Parse(await _sandbox.Control.GetStringAsync("_sandbox/outbox"));
        return json.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private async Task<(List<JsonElement> Apps, int ServicePrincipals, int Grants)> DirectoryOfAsync(string name)
    {
        var directory = await _sandbox.DirectoryAsync();
        var apps = CoreSandboxFixture.Items(directory, "applications").Where(a => a.GetProperty("displayName").GetString() == name).ToList();
        if (apps.Count != 1) return (apps, 0, 0);
        var sps = CoreSandboxFixture.ServicePrincipalsFor(directory, apps[0].GetProperty("appId").GetString()!);
        var grants = sps.Count == 1 ? CoreSandboxFixture.AssignmentsOf(directory, sps[0].GetProperty("id").GetString()!).Count : 0;
        return (apps, sps.Count, grants);
    }

    private static int Secrets(JsonElement app) =>
        app.TryGetProperty("passwordCredentials", out var p) && p.ValueKind == JsonValueKind.Array ? p.GetArrayLength() : 0;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_fault_is_ridden_out_or_explained_never_duplicated_never_orphaned_and_a_rerun_converges(string step, string fault, int count)
    {
        var name = $"Matrix {step} {fault} x{count}";
        var session = Session();
        await _sandbox.ConnectAdminAsync(session);
        using (var response = await _sandbox.Control.PostAsJsonAsync("_sandbox/faults", Fault(step, fault, count)))
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        var first = await OnboardAsync(session, name);

        // Explained as transient when it fails; never a defect, never "unexpected".
        if (first.Code is { } code) Assert.True(s_transient.Contains(code), $"{code} at {first.FailedStep} is not a transient diagnosis");
        // No e-mail twice: each recipient got at most one message.
        var outbox = await OutboxAsync();
        foreach (var group in outbox.GroupBy(m => string.Join(",", m.GetProperty("to").EnumerateArray().Select(t => t.GetString()))))
            Assert.True(group.Count() == 1, $"{group.Key} got {group.Count()} messages");
        // No orphan: the app holds exactly the secrets whose value the caller received.
        var (apps, _, _) = await DirectoryOfAsync(name);
        Assert.True(apps.Count <= 1, $"{apps.Count} apps named {name}");
        if (apps.Count == 1) Assert.Equal(first.App is null ? 0 : 1, Secrets(apps[0]));

        // The fault gone, the same onboarding converges and deletes no secret.
        using (var cleared = await _sandbox.Control.DeleteAsync("_sandbox/faults"))
            Assert.True(cleared.IsSuccessStatusCode);
        var secretsBefore = apps.Count == 1 ? Secrets(apps[0]) : 0;
        var again = await OnboardAsync(session, name);
        Assert.True(again.Code is null, $"re-run failed at {again.FailedStep}: {again.Code}");
        var (appsAfter, sps, grants) = await DirectoryOfAsync(name);
        Assert.Single(appsAfter);
        Assert.Equal(1, sps);
        Assert.Equal(1, grants);
        Assert.Equal(secretsBefore + 1, Secrets(appsAfter[0]));

        var outcome = first.Code is null ? "completed" : $"{first.Code} at {first.FailedStep}";
        _output.WriteLine($"{step}\t{fault}\tx{count}\t{outcome}\t{outbox.Count} mail\t{(apps.Count == 1 ? Secrets(apps[0]) : 0)} secret(s)");
        lock (s_rowsGate)
            File.AppendAllText(Path.Combine(AppContext.BaseDirectory, "fault-matrix.tsv"),
                $"{step}\t{fault}\tx{count}\t{outcome}\t{outbox.Count}\t{(apps.Count == 1 ? Secrets(apps[0]) : 0)}\n");
    }
}
