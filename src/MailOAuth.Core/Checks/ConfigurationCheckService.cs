using System;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Cloud;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Core.Mail;
using MailOAuth.Core.Platform;
using Microsoft.Graph.Models;

namespace MailOAuth.Core.Checks;

/// <summary>What Test-MailOAuthConfiguration checks.</summary>
public sealed class ConfigurationCheckRequest
{
    public string TenantId { get; init; } = "";
    public string ClientId { get; init; } = "";
    public SecureString ClientSecret { get; init; } = new();
    public string SenderAddress { get; init; } = "";
    public string? From { get; init; }
    /// <summary>Recipients of one real test message (Send, PlatformTest); empty: nothing is sent.</summary>
    public IReadOnlyList<string> To { get; init; } = Array.Empty<string>();
    public string? EnvironmentName { get; init; }
    /// <summary>The platform to compare (Platform, PlatformTest); null: those checks are Skipped.</summary>
    public PlatformTarget? Platform { get; init; }
    public IReadOnlyList<string>? DnsServers { get; init; }
    public bool SkipDns { get; init; }
}

/// <summary>
/// Test-MailOAuthConfiguration: runs every check it can, in a fixed order, never stopping at the first
/// problem, and hands each result to the caller as soon as it is known. A check that needs what was not
/// given is Skipped and says what would enable it. Nothing is written anywhere; mail is sent only to
/// <see cref="ConfigurationCheckRequest.To"/>.
/// </summary>
public sealed class ConfigurationCheckService
{
    /// <summary>The stable check names, in the order they run (public API, like the diagnosis codes).</summary>
    public static readonly IReadOnlyList<string> CheckNames = new[]
    {
        "Tenant", "Credential", "Permission", "AppRegistration", "Consent", "Scope", "SecretExpiry", "SecretPolicy", "Sender", "Send", "Platform", "PlatformTest",
    };

    /// <summary>A secret with fewer days left than this is a Warning.</summary>
    public const int ExpiryWarningDays = 30;

    private const string Activity = "Test-MailOAuthConfiguration";
    private readonly MailOAuthSession _session;

    public ConfigurationCheckService(MailOAuthSession session) => _session = session;

    /// <summary>Runs the checks; <paramref name="onResult"/> gets each result as it completes (on a worker thread).</summary>
    public Task<IReadOnlyList<CheckResult>> RunAsync(ConfigurationCheckRequest request, IDnsCheck? dns, Action<CheckResult>? onResult, CancellationToken ct) =>
        Explained.RunAsync("check the configuration", null, () => new Run(_session, request, dns, onResult).ExecuteAsync(ct), ct);

    /// <summary>The state one run carries from check to check (the token, the app read from the directory).</summary>
    private sealed class Run
    {
        private readonly MailOAuthSession _session;
        private readonly ConfigurationCheckRequest _request;
        private readonly IDnsCheck? _dns;
        private readonly Action<CheckResult>? _onResult;
        private readonly List<CheckResult> _results = new();
        private readonly CloudEnvironment _environment;
        private readonly string _secret;
        private AccessTokenClaims? _claims;
        private AdminConnection? _connection;
        private string? _connectionSkipReason;
        private DirectoryClient? _directory;
        private Application? _app;
        private bool _appLookedUp;

        public Run(MailOAuthSession session, ConfigurationCheckRequest request, IDnsCheck? dns, Action<CheckResult>? onResult)
        {
            _session = session;
            _request = request;
            _dns = dns;
            _onResult = onResult;
            _environment = session.Environments.Get(request.EnvironmentName);
            _secret = SecretText.Reveal(request.ClientSecret);
        }

        private IOperationReporter Reporter => OperationContext.CurrentReporter;

        private DiagnosisContext Context => new()
        {
            TenantId = _request.TenantId, ClientId = _request.ClientId, SenderAddress = _request.SenderAddress, FromAddress = _request.From,
            EnvironmentName = _environment.Name, SecretLooksLikeSecretId = SecretText.LooksLikeSecretId(_secret),
        };

        public async Task<IReadOnlyList<CheckResult>> ExecuteAsync(CancellationToken ct)
        {
            var steps = new (string Name, Func<CancellationToken, Task<CheckResult>> Body)[]
            {
                ("Tenant", TenantAsync), ("Credential", CredentialAsync), ("Permission", PermissionAsync),
                ("AppRegistration", AppRegistrationAsync), ("Consent", ConsentAsync), ("Scope", ScopeAsync), ("SecretExpiry", SecretExpiryAsync),
                ("SecretPolicy", SecretPolicyAsync), ("Sender", SenderAsync), ("Send", SendAsync), ("Platform", PlatformAsync), ("PlatformTest", PlatformTestAsync),
            };
            for (var i = 0; i < steps.Length; i++)
            {
                var (name, body) = steps[i];
                Reporter.Progress(new ProgressUpdate(Activity, $"Checking {name} ({i + 1} of {steps.Length})", percentComplete: i * 100 / steps.Length));
                Emit(await GuardAsync(name, body, ct).ConfigureAwait(false));
                // DNS follows Sender: it is about the sender's domain (the checks come from IDnsCheck).
                if (name == "Sender") await DnsAsync(ct).ConfigureAwait(false);
            }
            Reporter.Progress(new ProgressUpdate(Activity, "Done", 100, completed: true));
            return _results;
        }

        private void Emit(CheckResult result)
        {
            _results.Add(result);
            Reporter.Verbose($"{result.Check}: {result.Status}. {result.Message}");
            _onResult?.Invoke(result);
        }

        /// <summary>A check never ends the run: whatever it throws becomes its own Fail with the diagnosis.</summary>
        private static async Task<CheckResult> GuardAsync(string name, Func<CancellationToken, Task<CheckResult>> body, CancellationToken ct)
        {
            try
            {
                return await body(ct).ConfigureAwait(false);
            }
            catch (MailOAuthException ex)
            {
                return Failed(name, ex.Diagnosis);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && ct.IsCancellationRequested))
            {
                return Failed(name, DiagnosisCatalog.Explain(ex, new DiagnosisContext { Operation = "run the " + name + " check" }));
            }
        }

        private async Task DnsAsync(CancellationToken ct)
        {
            if (_dns is null || _request.SkipDns) return; // no DNS checks in this build, or not asked for
            var domain = DomainOf(_request.SenderAddress);
            Reporter.Progress(new ProgressUpdate(Activity, $"Checking the DNS records of {domain}"));
            var expectedSpf = await ExpectedSpfAsync(domain, ct).ConfigureAwait(false);
            IReadOnlyList<CheckResult> results;
            try
            {
                results = await _dns.CheckAsync(domain, _environment.Name, _request.DnsServers, expectedSpf, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && ct.IsCancellationRequested))
            {
                var why = ex is MailOAuthException m ? m.Diagnosis.Cause : DiagnosisCatalog.Explain(ex, new DiagnosisContext { Operation = "check DNS" }).Cause;
                results = new[] { "Spf", "Dkim", "Dmarc" }.Select(n => Skipped(n, "The DNS checks could not run: " + why)).ToList();
            }
            foreach (var r in results) Emit(r);
        }

        /// <summary>
        /// Microsoft 365's SPF record for <paramref name="domain"/> from Graph (docs/service-behaviour.md#service-configuration-records),
        /// with the admin connection; null without one or when it cannot be read (then the cloud's include is expected).
        /// </summary>
        private async Task<string?> ExpectedSpfAsync(string domain, CancellationToken ct)
        {
            if (DirectoryUnavailable() is not null) return null;
            try
            {
                var record = await _directory!.GetExpectedSpfAsync(domain, ct).ConfigureAwait(false);
                Reporter.Verbose(record is null
                    ? $"Graph states no SPF record for {domain}; the Spf check expects the {_environment.Name} cloud's Exchange Online include."
                    : $"Graph states Microsoft 365's SPF record for {domain}: {record}");
                return record;
            }
            catch (MailOAuthException ex)
            {
                Reporter.Verbose($"Microsoft 365's SPF record for {domain} was not read from Graph ({ex.Code}: {ex.Diagnosis.Cause}); the Spf check expects the {_environment.Name} cloud's Exchange Online include.");
                return null;
            }
        }

        // ---- Tenant ----

        private async Task<CheckResult> TenantAsync(CancellationToken ct)
        {
            var (found, evidence, error) = await DiscoverAsync(_environment, ct).ConfigureAwait(false);
            if (found) return Passed("Tenant", $"Tenant '{_request.TenantId}' exists in the {_environment.Name} cloud.", evidence);
            var diagnosis = error!;
            if (diagnosis.Code == DiagnosisCode.TenantNotFound && _environment.IsBuiltIn)
            {
                // docs/service-behaviour.md#national-clouds: a tenant lives in one cloud only; name the one that knows it.
                foreach (var other in _session.Environments.All.Where(e => e.IsBuiltIn && !ReferenceEquals(e, _environment)))
                {
                    var (there, _, _) = await DiscoverAsync(other, ct).ConfigureAwait(false);
                    if (there)
                        return new CheckResult
                        {
                            Check = "Tenant", Status = CheckStatus.Fail, DiagnosisCode = DiagnosisCode.TenantNotFound,
                            Message = $"Tenant '{_request.TenantId}' is not in the {_environment.Name} cloud but in the {other.Name} cloud.",
                            Remediation = $"Run again with -Environment {other.Name} (and use that cloud for the platform's settings too).",
                            Evidence = diagnosis.ServiceCode,
                        };
                }
            }
            return Failed("Tenant", diagnosis);
        }

        /// <summary>The tenant's OpenID configuration (docs/service-behaviour.md#discovery): found, or Entra's explained answer.</summary>
        private async Task<(bool Found, string? Evidence, Diagnosis? Error)> DiscoverAsync(CloudEnvironment environment, CancellationToken ct)
        {
            var uri = new Uri(environment.AuthorityHost.ToString().TrimEnd('/') + "/" + Uri.EscapeDataString(_request.TenantId) + "/v2.0/.well-known/openid-configuration");
            using var client = _session.HttpFor(environment).CreateClient();
            try
            {
                using var response = await client.GetAsync(uri, ct).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                    return (false, null, DiagnosisCatalog.Explain(ServiceError.FromEntra((int)response.StatusCode, body), Context));
                string? issuer = null, region = null;
                try
                {
                    var root = JsonNode.Parse(body);
                    issuer = root?["issuer"]?.GetValue<string>();
                    region = root?["tenant_region_scope"]?.GetValue<string>();
                }
                catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
                {
                    // A discovery document without these fields still proves the tenant resolves.
                }
                var tenantGuid = issuer?.Split('/').FirstOrDefault(part => Guid.TryParse(part, out _));
                return (true, $"tenant ID {tenantGuid ?? "(not in the issuer)"}{(region is null ? "" : ", region " + region)}", null);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && ct.IsCancellationRequested))
            {
                return (false, null, DiagnosisCatalog.Explain(ex, Context, environment.AuthorityHost));
            }
        }

        // ---- Credential, Permission ----

        private async Task<CheckResult> CredentialAsync(CancellationToken ct)
        {
            var app = _session.AppClientFor(_environment, _request.TenantId, _request.ClientId, _secret);
            var token = await app.Tokens.GetGraphTokenAsync(ct).ConfigureAwait(false);
            _claims = AccessTokenClaims.Decode(token.Token);
            return Passed("Credential", $"Entra ID issued an app-only token to client '{_request.ClientId}' with the secret given.",
                $"tenant ID {_claims.TenantId}; token valid until {token.ExpiresOn:u}");
        }

        private async Task<CheckResult> PermissionAsync(CancellationToken ct)
        {
            if (_claims is null) return Skipped("Permission", "Needs a token: the Credential check failed.");
            var roles = _claims.Roles.Count == 0 ? "none" : string.Join(", ", _claims.Roles);
            if (_claims.HasRole(MailTestService.MailSendRole))
                return Passed("Permission", "The token carries the Mail.Send application role.", "roles: " + roles);
            // docs/service-behaviour.md#exchange-rbac: a mailbox-scoped app's token has no Mail.Send role by design.
            var scopeState = await ScopeStateOrNullAsync(ct).ConfigureAwait(false);
            if (IsMailboxScoped(scopeState))
                return Passed("Permission", "The token carries no Mail.Send role, as expected: the app's Mail.Send is scoped to a mailbox with Exchange RBAC for Applications (see Scope).", "roles: " + roles);
            if (IsScopedByTagOnly(scopeState))
                return Skipped("Permission", TagOnly(scopeState!, "the token carries no Mail.Send role, as a mailbox-scoped app's should not"), "roles: " + roles);
            // The next run, after consent is granted, must get a fresh token: this one never gains the role.
            _session.ForgetAppClients(_request.ClientId);
            return Failed("Permission", DiagnosisCatalog.TokenLacksMailSend(Context, roles), "roles: " + roles);
        }

        // ---- directory checks (need Connect-MailOAuth to the same tenant) ----

        /// <summary>Null when the admin connection can check this app; else why the check is Skipped.</summary>
        private string? DirectoryUnavailable()
        {
            if (_connection is not null) return null;
            if (_connectionSkipReason is not null) return _connectionSkipReason;
            var connection = _session.Connection;
            var tenant = _claims?.TenantId ?? (Guid.TryParse(_request.TenantId, out _) ? _request.TenantId : null);
            if (connection is null)
                _connectionSkipReason = $"Needs an admin connection: run Connect-MailOAuth -TenantId {_request.TenantId} (Application.Read.All; Policy.Read.All for SecretPolicy; User.Read.All and Domain.Read.All for Sender).";
            else if (!string.Equals(connection.Environment.Name, _environment.Name, StringComparison.OrdinalIgnoreCase))
                _connectionSkipReason = $"The admin connection is to the {connection.Environment.Name} cloud, not {_environment.Name}: connect to the tenant of the app to run this check.";
            else if (tenant is not null && !string.Equals(tenant, connection.TenantId, StringComparison.OrdinalIgnoreCase))
                _connectionSkipReason = $"The admin connection is to tenant {connection.TenantId}, not {tenant}: run Connect-MailOAuth -TenantId {_request.TenantId} to run this check.";
            else
            {
                _connection = connection;
                _directory = new DirectoryClient(connection);
                return null;
            }
            return _connectionSkipReason;
        }

        private async Task<Application?> AppAsync(CancellationToken ct)
        {
            if (_appLookedUp) return _app;
            _appLookedUp = true;
            _app = await _directory!.GetAppForCheckAsync(_request.ClientId, ct).ConfigureAwait(false);
            return _app;
        }

        private async Task<CheckResult> AppRegistrationAsync(CancellationToken ct)
        {
            if (DirectoryUnavailable() is { } why) return Skipped("AppRegistration", why);
            var app = await AppAsync(ct).ConfigureAwait(false);
            if (app is null) return Failed("AppRegistration", DiagnosisCatalog.AppNotFoundByClientId(_request.ClientId, _connection!.TenantId, AppLookup.Read));
            var graph = app.RequiredResourceAccess?.Where(r => r.ResourceAppId == EntraIds.GraphAppId).SelectMany(r => r.ResourceAccess ?? new List<ResourceAccess>()).ToList()
                ?? new List<ResourceAccess>();
            var role = AppProvisioner.DeclaresMailSend(app);
            var scope = graph.Any(a => a.Id == EntraIds.MailSendScopeId && a.Type == "Scope");
            var audience = app.SignInAudience ?? "AzureADMyOrg";
            var evidence = $"'{app.DisplayName}', signInAudience {audience}; Mail.Send declared: {(role ? "Application" : scope ? "Delegated only" : "no")}; managed by MailOAuth: {(AppProvisioner.IsManaged(app) ? "yes" : "no")}";
            if (!role && scope) return Failed("AppRegistration", DiagnosisCatalog.DelegatedMailSendOnly(_request.ClientId), evidence);
            if (!string.Equals(audience, "AzureADMyOrg", StringComparison.OrdinalIgnoreCase))
                return Warned("AppRegistration", DiagnosisCatalog.AppNotSingleTenant(_request.ClientId, audience), evidence);
            var scopeState = role ? null : await ScopeStateOrNullAsync(ct).ConfigureAwait(false);
            if (!role && IsMailboxScoped(scopeState))
                return Passed("AppRegistration", $"App '{app.DisplayName}' is registered in tenant {_connection!.TenantId}, single tenant; it does not declare Mail.Send, as a mailbox-scoped app should not (see Scope).", evidence);
            if (!role && IsScopedByTagOnly(scopeState))
                return Skipped("AppRegistration", TagOnly(scopeState!, $"app '{app.DisplayName}' is registered in tenant {_connection!.TenantId}, single tenant, and does not declare Mail.Send, as a mailbox-scoped app should not"), evidence);
            if (!role) return Warned("AppRegistration", DiagnosisCatalog.MailSendNotDeclared(_request.ClientId), evidence);
            return Passed("AppRegistration", $"App '{app.DisplayName}' is registered in tenant {_connection!.TenantId}, single tenant, with Mail.Send as an application permission.", evidence);
        }

        private async Task<CheckResult> ConsentAsync(CancellationToken ct)
        {
            if (DirectoryUnavailable() is { } why) return Skipped("Consent", why);
            if (await AppAsync(ct).ConfigureAwait(false) is null) return Skipped("Consent", "The app was not found (AppRegistration).");
            var sp = await GrantsAsync(ct).ConfigureAwait(false);
            if (sp is null) return Failed("Consent", DiagnosisCatalog.ConsentMissing(_request.ClientId, noServicePrincipal: true));
            var grant = _tenantGrant;
            var scopeState = grant is null ? await ScopeStateOrNullAsync(ct).ConfigureAwait(false) : null;
            if (grant is null && IsMailboxScoped(scopeState))
                return Passed("Consent", "Mail.Send is granted through an Exchange RBAC for Applications assignment, not by tenant-wide admin consent (see Scope).",
                    $"service principal {sp.Id}; no Microsoft Graph Mail.Send app role assignment");
            if (grant is null && IsScopedByTagOnly(scopeState))
                return Skipped("Consent", TagOnly(scopeState!, "the app has no tenant-wide Mail.Send grant, as a mailbox-scoped app should not"),
                    $"service principal {sp.Id}; no Microsoft Graph Mail.Send app role assignment");
            if (grant is null)
                return Failed("Consent", DiagnosisCatalog.ConsentMissing(_request.ClientId, noServicePrincipal: false),
                    $"service principal {sp.Id}; {_assignments.Count} app role assignment{(_assignments.Count == 1 ? "" : "s")}, none for Mail.Send");
            return Passed("Consent", "Admin consent for Microsoft Graph Mail.Send (application) is granted.",
                $"appRoleAssignment {grant.Id}{(grant.CreatedDateTime is { } at ? $", granted {at:u}" : "")}");
        }

        /// <summary>
        /// How far Mail.Send reaches (docs/service-behaviour.md#exchange-rbac): tenant-wide is a Warning (any mailbox),
        /// an Exchange assignment scoped to the sender (the platform's, when a platform is given) a Pass, one scoped to
        /// other mailboxes a Fail. The Exchange assignments are read when the connection may (RoleManagement.Read.*).
        /// </summary>
        private async Task<CheckResult> ScopeAsync(CancellationToken ct)
        {
            if (DirectoryUnavailable() is { } why) return Skipped("Scope", why);
            var app = await AppAsync(ct).ConfigureAwait(false);
            if (app is null) return Skipped("Scope", "The app was not found (AppRegistration).");
            var state = await ScopeStateAsync(ct).ConfigureAwait(false);
            if (state is null) return Skipped("Scope", "The app has no service principal, so nothing is granted to scope (Consent).");
            var (sender, senderSource) = await ExpectedSenderAsync(ct).ConfigureAwait(false);
            if (state.TenantGrant)
                return Warned("Scope", state.ScopeStage == ScopeStage.Staged && state.AssignedOn is { } stagedOn
                        ? DiagnosisCatalog.MailSendTenantWideStaged(_request.ClientId, sender, state.StagedMailbox, stagedOn, _session.TimeProvider.GetUtcNow())
                        : DiagnosisCatalog.MailSendTenantWide(_request.ClientId, sender, throughExchange: false),
                    $"Microsoft Graph Mail.Send app role assignment {_tenantGrant!.Id}" +
                    (state.ScopeStage == ScopeStage.Staged
                        ? $"; Exchange 'Application Mail.Send' assignments: {(state.ExchangeRead ? string.Join(", ", state.Assignments.Select(a => a.DirectoryScopeId ?? "app scope " + a.AppScopeId)) : "not read (" + state.UnreadableReason + "), staged per MailOAuth's tag")}"
                        : ""));
            if (!state.ExchangeRead)
                return Skipped("Scope", state.Tagged
                    ? $"MailOAuth scoped this app to a mailbox on {state.AssignedOn:u} (its tag), but the connection cannot read Exchange role assignments ({state.UnreadableReason}) to tell which: connect with RoleManagement.Read.Exchange to run this check."
                    : $"No tenant-wide Mail.Send grant; the Exchange role assignments could not be read ({state.UnreadableReason}): connect with RoleManagement.Read.Exchange to run this check.");
            var evidence = $"Exchange 'Application Mail.Send' assignments: {(state.Assignments.Count == 0 ? "none" : string.Join(", ", state.Assignments.Select(a => a.DirectoryScopeId ?? "app scope " + a.AppScopeId)))}; sender {sender} ({senderSource})";
            if (state.Assignments.Count == 0)
                return Skipped("Scope", "Mail.Send is neither granted tenant-wide nor assigned in Exchange, so there is no scope to check (Consent).", evidence);
            if (state.Assignments.Any(a => a.DirectoryScopeId == "/"))
                return Warned("Scope", DiagnosisCatalog.MailSendTenantWide(_request.ClientId, sender, throughExchange: true), evidence);
            string? senderId = null;
            try
            {
                senderId = (await _directory!.GetUserAsync(sender, ct).ConfigureAwait(false))?.Id;
            }
            catch (MailOAuthException ex) when (ex.Code == DiagnosisCode.InsufficientPrivileges)
            {
                // Without User.Read.All the scopes are compared by the UPNs read with them (object ids when those failed too).
            }
            var userScopes = state.Assignments.Select(a => ExchangeRbacClient.UserOf(a.DirectoryScopeId)).Where(u => u is not null).Select(u => u!).ToList();
            if (userScopes.Any(u => string.Equals(u, senderId, StringComparison.OrdinalIgnoreCase)
                                    || state.Users.TryGetValue(u, out var upn) && string.Equals(upn, sender, StringComparison.OrdinalIgnoreCase)))
                return Passed("Scope", $"Mail.Send is scoped to mailbox {sender} with Exchange RBAC for Applications{(state.AssignedOn is { } at ? $" (since {at:u})" : "")}: the app cannot send as any other mailbox.", evidence);
            if (userScopes.Count > 0)
                return Failed("Scope", DiagnosisCatalog.MailboxScopeExcludesSender(_request.ClientId, sender,
                    "mailbox " + string.Join(", ", userScopes.Select(u => state.Users.TryGetValue(u, out var n) ? n : u))), evidence);
            return Warned("Scope", DiagnosisCatalog.MailboxScopeUnchecked(_request.ClientId, sender,
                string.Join(", ", state.Assignments.Select(a => a.DirectoryScopeId ?? "app scope " + a.AppScopeId))), evidence);
        }

        private SendScopeState? _scopeState;
        private bool _scopeRead;
        private AppRoleAssignment? _tenantGrant;

        /// <summary>The app's send scope, read once (Permission, AppRegistration, Consent, Scope and Send use it); null without a service principal.</summary>
        private async Task<SendScopeState?> ScopeStateAsync(CancellationToken ct)
        {
            if (_scopeRead) return _scopeState;
            var app = await AppAsync(ct).ConfigureAwait(false);
            var sp = app is null ? null : await GrantsAsync(ct).ConfigureAwait(false);
            if (sp is not null)
                _scopeState = await new SendScopeReader(_connection!, _directory!).ReadAsync(app!, sp, _tenantGrant, ct).ConfigureAwait(false);
            _scopeRead = true;
            return _scopeState;
        }

        private bool _grantsRead;
        private ServicePrincipal? _servicePrincipal;
        private List<AppRoleAssignment> _assignments = new();

        /// <summary>
        /// The app's service principal (null when it has none), with its app role assignments and the tenant-wide Mail.Send
        /// grant among them (<see cref="_tenantGrant"/>): read once per run, for Consent and the send scope.
        /// </summary>
        private async Task<ServicePrincipal?> GrantsAsync(CancellationToken ct)
        {
            if (_grantsRead) return _servicePrincipal;
            var sp = await _directory!.GetServicePrincipalAsync(_request.ClientId, ct).ConfigureAwait(false);
            if (sp is not null)
            {
                var graphSp = await _directory.GetServicePrincipalAsync(EntraIds.GraphAppId, ct).ConfigureAwait(false);
                _assignments = await _directory.GetAppRoleAssignmentsAsync(sp.Id!, ct).ConfigureAwait(false);
                _tenantGrant = _assignments.FirstOrDefault(a => MailSendGrant.IsTenantWide(a, graphSp?.Id));
            }
            _servicePrincipal = sp;
            _grantsRead = true;
            return sp;
        }

        /// <summary><see cref="ScopeStateAsync"/> where it only refines another check: null without a connection, or when it cannot be read.</summary>
        private async Task<SendScopeState?> ScopeStateOrNullAsync(CancellationToken ct)
        {
            if (DirectoryUnavailable() is not null) return null;
            try
            {
                return await ScopeStateAsync(ct).ConfigureAwait(false);
            }
            catch (MailOAuthException ex)
            {
                Reporter.Verbose($"The app's send scope could not be read ({ex.Code}); checks treat it as not scoped.");
                return null;
            }
        }

        /// <summary>Scoped to mailboxes by Exchange assignments actually read (MailOAuth's tag alone proves nothing).</summary>
        private static bool IsMailboxScoped(SendScopeState? state) =>
            state is { TenantGrant: false, ExchangeRead: true } && state.SendScope.StartsWith("Mailbox", StringComparison.Ordinal);

        /// <summary>MailOAuth's tag says mailbox-scoped, but the Exchange assignments could not be read to verify it.</summary>
        private static bool IsScopedByTagOnly(SendScopeState? state) => state is { TenantGrant: false, ExchangeRead: false, Tagged: true };

        /// <summary>Why a check that a mailbox scope would pass is Skipped when only the tag says so (docs/service-behaviour.md#exchange-rbac).</summary>
        private static string TagOnly(SendScopeState state, string what) =>
            $"MailOAuth's tag says this app was scoped to a mailbox on {state.AssignedOn:u} and {what}, but the Exchange role assignments could not be read ({state.UnreadableReason}): "
            + "cannot verify without RoleManagement.Read.Exchange (or RoleManagement.Read.All); connect with one of them to run this check.";

        private SmtpSettingsView? _platformView;

        /// <summary>The sender the scope must cover: the platform's (when a platform is given and readable), else -SenderAddress.</summary>
        private async Task<(string Sender, string Source)> ExpectedSenderAsync(CancellationToken ct)
        {
            if (_request.Platform is not { } target) return (_request.SenderAddress, "-SenderAddress");
            try
            {
                _platformView ??= await new PlatformClient(_session).GetAsync(target, ct).ConfigureAwait(false);
                return string.IsNullOrEmpty(_platformView.SenderAddress)
                    ? (_request.SenderAddress, "-SenderAddress; the platform holds no sender")
                    : (_platformView.SenderAddress!, "the platform's sender");
            }
            catch (MailOAuthException ex)
            {
                return (_request.SenderAddress, $"-SenderAddress; the platform's settings could not be read ({ex.Code})");
            }
        }

        /// <summary>The hint Entra keeps of a secret: its first three characters (docs/service-behaviour.md#add-password).</summary>
        private static string HintOf(string secret) => secret.Length <= 3 ? secret : secret.Substring(0, 3);

        private async Task<CheckResult> SecretExpiryAsync(CancellationToken ct)
        {
            if (DirectoryUnavailable() is { } why) return Skipped("SecretExpiry", why);
            var app = await AppAsync(ct).ConfigureAwait(false);
            if (app is null) return Skipped("SecretExpiry", "The app was not found (AppRegistration).");
            var now = _session.TimeProvider.GetUtcNow();
            var secrets = app.PasswordCredentials ?? new List<PasswordCredential>();
            var hint = HintOf(_secret);
            var matches = secrets.Where(p => string.Equals(p.Hint, hint, StringComparison.Ordinal)).OrderByDescending(p => p.EndDateTime).ToList();
            string Describe(PasswordCredential p) =>
                $"{p.KeyId} ('{p.DisplayName}', hint {p.Hint}…) {(p.EndDateTime is { } e ? (e <= now ? "expired " : "expires ") + e.ToString("u") : "never expires")}";
            if (matches.Count == 0)
            {
                var known = secrets.Count == 0 ? "none" : string.Join("; ", secrets.Select(Describe));
                if (_claims is not null)
                    return Skipped("SecretExpiry", "Entra accepted the secret, but none of the app's secrets has its hint, so its expiry cannot be told.", "app secrets: " + known);
                return Failed("SecretExpiry", DiagnosisCatalog.SecretNotOfApp(_request.ClientId, hint, known));
            }
            var given = matches[0];
            var others = secrets.Where(p => !ReferenceEquals(p, given)).ToList();
            var evidence = $"secret {Describe(given)}" + (matches.Count > 1 ? $" ({matches.Count} secrets share this hint; the latest expiry is shown)" : "")
                + (others.Count == 0 ? "" : "; other secrets: " + string.Join("; ", others.Select(Describe)));
            var keyId = given.KeyId?.ToString() ?? "";
            if (given.EndDateTime is not { } end)
                return Passed("SecretExpiry", "The secret given never expires.", evidence);
            if (end <= now) return Failed("SecretExpiry", DiagnosisCatalog.SecretExpiredOn(_request.ClientId, keyId, end), evidence);
            var daysLeft = (int)Math.Floor((end - now).TotalDays);
            if (daysLeft < ExpiryWarningDays) return Warned("SecretExpiry", DiagnosisCatalog.SecretExpiresSoon(_request.ClientId, keyId, end, daysLeft), evidence);
            return Passed("SecretExpiry", $"The secret given (key ID {keyId}) expires on {end:u}: {daysLeft} days left.", evidence);
        }

        private async Task<CheckResult> SecretPolicyAsync(CancellationToken ct)
        {
            if (DirectoryUnavailable() is { } why) return Skipped("SecretPolicy", why);
            var app = await AppAsync(ct).ConfigureAwait(false);
            if (app is null) return Skipped("SecretPolicy", "The app was not found (AppRegistration).");
            var policy = await new SecretPolicyReader(_connection!).ReadAsync(app.Id, app.CreatedDateTime ?? _session.TimeProvider.GetUtcNow(), ct).ConfigureAwait(false);
            if (!policy.Readable) return Skipped("SecretPolicy", $"The app management policies could not be read: {policy.UnreadableReason}. Connect with Policy.Read.All to run this check.");
            var lifetime = policy.MaxLifetime is { } max
                ? $"new secrets may live at most {DiagnosisCatalog.DescribeLifetime(max)} ({policy.MaxLifetimeSource})"
                : "no policy limits the lifetime of new secrets";
            if (policy.PasswordAdditionBlocked)
                return Warned("SecretPolicy", DiagnosisCatalog.SecretAdditionBlocked(_request.ClientId, policy.AdditionBlockedSource!), lifetime);
            return Passed("SecretPolicy", char.ToUpperInvariant(lifetime[0]) + lifetime.Substring(1) + "; new secrets can be added, so the secret can be rotated.",
                policy.MaxLifetime is { } m ? "maxLifetime " + System.Xml.XmlConvert.ToString(m) : "no passwordLifetime restriction");
        }

        // ---- Sender, Send ----

        private async Task<CheckResult> SenderAsync(CancellationToken ct)
        {
            var sender = _request.SenderAddress;
            if (DirectoryUnavailable() is not null)
                return Passed("Sender", $"'{sender}' is a well-formed address. Its mailbox was not looked up (no admin connection to this tenant); the Send check proves it with -To.", "shape only");
            var domain = DomainOf(sender);
            var notes = new List<string>();
            try
            {
                var domains = await _directory!.GetDomainsAsync(ct).ConfigureAwait(false);
                var match = domains.FirstOrDefault(d => string.Equals(d.Id, domain, StringComparison.OrdinalIgnoreCase));
                if (match is null || match.IsVerified != true)
                    return Failed("Sender", DiagnosisCatalog.SenderDomainUnusable(sender, domain, _directory.TenantId, match is not null,
                        string.Join(", ", domains.Where(d => d.IsVerified == true).Select(d => d.Id))));
                notes.Add($"domain {domain} verified");
            }
            catch (MailOAuthException ex) when (ex.Code == DiagnosisCode.InsufficientPrivileges)
            {
                notes.Add("domain not checked (the connection lacks Domain.Read.All)");
            }

            User? user;
            try
            {
                user = await _directory!.GetUserAsync(sender, ct).ConfigureAwait(false);
            }
            catch (MailOAuthException ex) when (ex.Code == DiagnosisCode.InsufficientPrivileges)
            {
                return Skipped("Sender", "The connection may not read users (it needs User.Read.All); the Send check proves the mailbox with -To.", string.Join("; ", notes));
            }
            if (user is null)
            {
                // docs/service-behaviour.md#users: Graph addresses a mailbox by id or UPN only.
                var byMail = await _directory.FindUsersByMailAsync(sender, ct).ConfigureAwait(false);
                if (byMail.Count == 1 && byMail[0].UserPrincipalName is { } upn)
                    return Failed("Sender", DiagnosisCatalog.SenderIsMailNotUpn(sender, upn), string.Join("; ", notes));
                return Failed("Sender", DiagnosisCatalog.SenderUserNotFound(sender, _directory.TenantId), string.Join("; ", notes));
            }
            notes.Add($"user {user.UserPrincipalName} ({user.UserType ?? "Member"}, account {(user.AccountEnabled == false ? "disabled, as for a shared mailbox" : "enabled")})");
            if (string.Equals(user.UserType, "Guest", StringComparison.OrdinalIgnoreCase))
                return Failed("Sender", DiagnosisCatalog.SenderIsGuest(sender), string.Join("; ", notes));
            var hasExchange = user.AssignedPlans?.Any(p => string.Equals(p.Service, "exchange", StringComparison.OrdinalIgnoreCase)
                && string.Equals(p.CapabilityStatus, "Enabled", StringComparison.OrdinalIgnoreCase)) == true;
            notes.Add("Exchange Online plan: " + (hasExchange ? "yes" : "no"));
            if (!hasExchange) return Warned("Sender", DiagnosisCatalog.SenderWithoutExchangePlan(sender, user.OnPremisesSyncEnabled == true), string.Join("; ", notes));
            return Passed("Sender", $"'{sender}' is an enabled member user with an Exchange Online plan, addressed by its UPN.", string.Join("; ", notes));
        }

        private async Task<CheckResult> SendAsync(CancellationToken ct)
        {
            if (_request.To.Count == 0) return Skipped("Send", "No -To given, so nothing was sent. Give -To to send one real test message through Graph.");
            if (_claims is null) return Skipped("Send", "Needs a token: the Credential check failed.");
            // The send itself is the proof, so MailOAuth's tag alone is enough to send in the scoped mode (no role check).
            var sendState = await ScopeStateOrNullAsync(ct).ConfigureAwait(false);
            var scope = IsMailboxScoped(sendState) || IsScopedByTagOnly(sendState) ? sendState : null;
            var outcome = await new MailTestService(_session).SendAsync(new MailTestRequest
            {
                TenantId = _request.TenantId, ClientId = _request.ClientId, ClientSecret = _request.ClientSecret, SenderAddress = _request.SenderAddress,
                From = _request.From, To = _request.To, EnvironmentName = _environment.Name,
                Subject = "MailOAuth configuration check",
                SendScope = scope is not null && MailSendScope.TryParse(scope.SendScope, out var parsed) ? parsed : null,
                ScopeAssignedOn = scope?.AssignedOn,
            }, ct).ConfigureAwait(false);
            return Passed("Send", $"Graph accepted a test message from {_request.SenderAddress} to {string.Join(", ", _request.To)} (202).", "request-id " + outcome.RequestId);
        }

        // ---- Platform, PlatformTest ----

        private async Task<CheckResult> PlatformAsync(CancellationToken ct)
        {
            if (_request.Platform is not { } target) return Skipped("Platform", "No -PlatformUri (with -ApiToken) given: the platform's settings were not compared.");
            var view = await new PlatformClient(_session).GetAsync(target, ct).ConfigureAwait(false);
            if (view.ClientId is null) return Failed("Platform", DiagnosisCatalog.PlatformSettingsMismatch("it holds no SMTP settings"));
            var tenant = _claims?.TenantId;
            var wrong = new List<string>();
            if (!string.Equals(view.TenantId, _request.TenantId, StringComparison.OrdinalIgnoreCase) && !string.Equals(view.TenantId, tenant, StringComparison.OrdinalIgnoreCase))
                wrong.Add($"tenant {view.TenantId}, not {_request.TenantId}");
            if (!string.Equals(view.ClientId, _request.ClientId, StringComparison.OrdinalIgnoreCase))
                wrong.Add($"client ID {view.ClientId} (another app), not {_request.ClientId}");
            if (!string.Equals(view.SenderAddress, _request.SenderAddress, StringComparison.OrdinalIgnoreCase))
                wrong.Add($"sender {view.SenderAddress}, not {_request.SenderAddress}");
            var evidence = $"platform holds tenant {view.TenantId}, client {view.ClientId}, sender {view.SenderAddress}, secret {(string.IsNullOrEmpty(view.ClientSecretHint) ? "(no hint)" : view.ClientSecretHint + "…")}, updated {view.UpdatedAt:u}";
            if (wrong.Count > 0) return Failed("Platform", DiagnosisCatalog.PlatformSettingsMismatch("it holds " + string.Join(", ", wrong)), evidence);

            var sameSecret = !string.IsNullOrEmpty(view.ClientSecretHint) && string.Equals(view.ClientSecretHint, HintOf(_secret), StringComparison.Ordinal);
            // With a connection, which of the app's secrets the platform holds, and its days left.
            if (DirectoryUnavailable() is null && await AppAsync(ct).ConfigureAwait(false) is { } app && !string.IsNullOrEmpty(view.ClientSecretHint))
            {
                var now = _session.TimeProvider.GetUtcNow();
                var stored = (app.PasswordCredentials ?? new List<PasswordCredential>()).Where(p => p.Hint == view.ClientSecretHint).OrderByDescending(p => p.EndDateTime).FirstOrDefault();
                if (stored is null)
                    return Failed("Platform", DiagnosisCatalog.PlatformSettingsMismatch($"its secret ({view.ClientSecretHint}…) is none of the app's current secrets: it was removed or belongs to another app"), evidence);
                if (stored.EndDateTime is { } end && end <= now)
                    return Failed("Platform", DiagnosisCatalog.PlatformSettingsMismatch($"its secret (key ID {stored.KeyId}) expired on {end:u}"), evidence);
                var days = stored.EndDateTime is { } e ? (int)Math.Floor((e - now).TotalDays) : int.MaxValue;
                evidence += $"; that is secret {stored.KeyId}{(days == int.MaxValue ? ", no expiry" : $", {days} days left")}";
                if (days < ExpiryWarningDays)
                    return Warned("Platform", DiagnosisCatalog.SecretExpiresSoon(_request.ClientId, stored.KeyId?.ToString() ?? "", stored.EndDateTime!.Value, days), evidence);
                if (!sameSecret)
                    return Warned("Platform", DiagnosisCatalog.PlatformSettingsMismatch($"it holds another current secret of the app (key ID {stored.KeyId}) than the one given"), evidence);
                return Passed("Platform", "The platform holds this tenant, app, sender and secret.", evidence);
            }
            if (!sameSecret)
                return Warned("Platform", DiagnosisCatalog.PlatformSettingsMismatch($"its secret's hint ({view.ClientSecretHint}…) is not that of the secret given; connect to tell which of the app's secrets it is"), evidence);
            return Passed("Platform", "The platform holds this tenant, app, sender and secret (by its hint).", evidence);
        }

        private async Task<CheckResult> PlatformTestAsync(CancellationToken ct)
        {
            if (_request.Platform is not { } target) return Skipped("PlatformTest", "No -PlatformUri (with -ApiToken) given: the platform's own test was not run.");
            if (_request.To.Count == 0) return Skipped("PlatformTest", "No -To given, so the platform's own test e-mail was not sent.");
            var outcome = await new PlatformClient(_session).TestAsync(target, _request.To, null, null, ct).ConfigureAwait(false);
            return Passed("PlatformTest", $"The platform's own test e-mail was delivered to {string.Join(", ", outcome.To)}.", "message id " + outcome.MessageId);
        }

        // ---- results ----

        private static string DomainOf(string address) => address.Substring(address.IndexOf('@') + 1);

        private static CheckResult Passed(string check, string message, string? evidence = null) =>
            new() { Check = check, Status = CheckStatus.Pass, Message = message, Evidence = evidence };

        private static CheckResult Skipped(string check, string message, string? evidence = null) =>
            new() { Check = check, Status = CheckStatus.Skipped, Message = message, Evidence = evidence };

        private static CheckResult Warned(string check, Diagnosis d, string? evidence = null) => From(check, CheckStatus.Warning, d, evidence);

        private static CheckResult Failed(string check, Diagnosis d, string? evidence = null) => From(check, CheckStatus.Fail, d, evidence);

        private static CheckResult From(string check, CheckStatus status, Diagnosis d, string? evidence) => new()
        {
            Check = check,
            Status = status,
            Message = d.Message,
            Remediation = d.Remediation,
            DiagnosisCode = d.Code,
            // The service's own code (an AADSTS number, a Graph error code) is the first evidence.
            Evidence = string.Join("; ", new[] { d.ServiceCode, evidence }.Where(s => !string.IsNullOrEmpty(s))) is { Length: > 0 } text ? text : null,
        };
    }
}
