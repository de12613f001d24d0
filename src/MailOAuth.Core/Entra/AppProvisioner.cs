using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Graph;
using Microsoft.Graph.Models;

namespace MailOAuth.Core.Entra;

/// <summary>
/// New-MailOAuthApp, Get-MailOAuthApp and Remove-MailOAuthApp: the Entra side of steps 1–2 of the
/// manual procedure, idempotent and resumable. Writes: the app (upsert by a stable uniqueName, so an
/// ambiguous failure never makes a second app), a new secret (never deleting existing ones), and the
/// service principal (upsert by appId).
/// </summary>
public sealed class AppProvisioner
{
    private readonly MailOAuthSession _session;

    public AppProvisioner(MailOAuthSession session) => _session = session;

    public Task<NewAppOutcome> NewAsync(NewAppRequest request, CancellationToken ct)
    {
        // A caller's broken precondition (the cmdlet validates the range) stays an argument error.
        if (request.SecretLifetimeMonths is < 1 or > 24)
            throw new ArgumentOutOfRangeException(nameof(request), "The secret lifetime must be 1 to 24 months.");
        // A blank name would only walk the alternate keys to a refusal; the cmdlet refuses it first.
        if (string.IsNullOrWhiteSpace(request.DisplayName) || request.DisplayName.Any(char.IsControl))
            throw new ArgumentException("The display name must not be blank or contain control characters.", nameof(request));
        return Explained.RunAsync("create or complete the application", GraphEndpoint, () => NewCoreAsync(request, ct), ct);
    }

    private Uri? GraphEndpoint => _session.Connection?.Environment.GraphEndpoint;

    private async Task<NewAppOutcome> NewCoreAsync(NewAppRequest request, CancellationToken ct)
    {
        var connection = _session.RequireConnection();
        var directory = new DirectoryClient(connection);
        var waiter = new ReplicationWaiter(request.ReplicationBudget, _session.TimeProvider);
        var reporter = OperationContext.CurrentReporter;

        // A -KeyVaultUri that cannot be used is refused before anything is written.
        if (request.KeyVault is not null) KeyVault.KeyVaultNames.Resolve(request.KeyVault.VaultUri, connection.Environment);
        if (request.SenderAddress is not null)
            await SenderCheck.VerifyAsync(directory, request.SenderAddress, ct).ConfigureAwait(false);

        // 1. Find before create. First by MailOAuth's own alternate key (a strongly consistent read that
        //    also finds the app after an admin renamed it), then by name, managed by MailOAuth or not.
        var uniqueName = EntraIds.UniqueNameFor(request.DisplayName);
        var ours = await directory.GetAppByUniqueNameAsync(uniqueName, ct).ConfigureAwait(false);
        var sameName = ours is null ? await directory.FindAppsByNameAsync(request.DisplayName, ct).ConfigureAwait(false) : new List<Application>();
        var managed = ours is null ? sameName.Where(IsManaged).ToList() : new List<Application> { ours };
        var unmanaged = sameName.Where(a => !IsManaged(a)).ToList();
        // 2. Before anything is written: does the tenant's app management policy allow the secret asked for?
        var conflict = managed.Count == 0 && unmanaged.Count > 0 && (!request.Force || unmanaged.Count > 1);
        if (!conflict)
        {
            var target = managed.FirstOrDefault(a => a.UniqueName == uniqueName) ?? managed.FirstOrDefault() ?? unmanaged.FirstOrDefault();
            await PreflightSecretPolicyAsync(connection, target, request.SecretLifetimeMonths, _session.TimeProvider, ct).ConfigureAwait(false);
        }

        Application app;
        string provisioning;
        if (managed.Count > 0)
        {
            app = managed.FirstOrDefault(a => a.UniqueName == uniqueName) ?? managed[0];
            provisioning = "Reused";
            reporter.Warning($"Application '{request.DisplayName}' (client ID {app.AppId}) already exists and is managed by MailOAuth: reusing it and adding a new secret. Existing secrets are kept.");
        }
        else if (unmanaged.Count > 0 && (!request.Force || unmanaged.Count > 1))
        {
            throw new MailOAuthException(DiagnosisCatalog.AppNameConflict(request.DisplayName, string.Join(", ", unmanaged.Select(a => a.AppId)), unmanaged.Count == 1));
        }
        else if (unmanaged.Count == 1)
        {
            app = unmanaged[0];
            provisioning = "Adopted";
            reporter.Warning($"Adopting application '{request.DisplayName}' (client ID {app.AppId}), which MailOAuth did not create (-Force). Existing secrets are kept.");
            await directory.UpdateAppAsync(app.Id!, new Application { Tags = (app.Tags ?? new List<string>()).Append(EntraIds.ManagedTag).Distinct().ToList() }, ct).ConfigureAwait(false);
        }
        else
        {
            reporter.Verbose($"Creating application '{request.DisplayName}' (uniqueName {uniqueName}).");
            Application? created = null;
            for (var n = 1; ; n++)
            {
                try
                {
                    created = await directory.UpsertAppAsync(uniqueName, NewAppBody(request.DisplayName), ct).ConfigureAwait(false);
                    break;
                }
                catch (MailOAuthException ex) when (ex.Diagnosis.ServiceCode == "Request_MultipleObjectsWithSameKeyValue")
                {
                    // 409: another run (a concurrent onboarding) created the app under this key between our
                    // read and our upsert. It is ours by the same key: read it back and carry on with it.
                    reporter.Verbose($"Another run created application '{request.DisplayName}' under the same alternate key at the same time; reusing it.");
                    created = null;
                    break;
                }
                catch (MailOAuthException ex) when (IsUniqueNameHeld(ex) && n < MaxAlternateKeys)
                {
                    // A deleted app (kept 30 days in Entra's deleted items) still holds this key:
                    // take the next one rather than resurrect the deleted app and its old secrets.
                    // Any other Request_BadRequest is a real refusal and stays one.
                    uniqueName = EntraIds.UniqueNameFor(request.DisplayName, n + 1);
                    reporter.Verbose($"The alternate key is held by a deleted application; using {uniqueName}.");
                }
            }
            // 204 means an earlier, interrupted run already created it under the same alternate key.
            app = created ?? await waiter.UntilAsync($"application '{request.DisplayName}' (to read it back)", objectIsNew: true,
                async c => await directory.GetAppByUniqueNameAsync(uniqueName, c).ConfigureAwait(false) ?? throw new NotYetVisibleException("The application"),
                ex => ex is NotYetVisibleException, ct).ConfigureAwait(false);
            provisioning = "Created";
            if (created is null) reporter.Verbose($"Application '{request.DisplayName}' already existed from an earlier run (client ID {app.AppId}); completing it.");
        }

        var appId = app.AppId!;
        var isNew = IsRecent(app, _session.TimeProvider);
        // A mailbox-scoped app must not declare Mail.Send again: the portal's "Grant admin consent" would make it
        // tenant-wide (docs/service-behaviour.md#exchange-rbac); Grant-MailSendConsent -Scope Tenant restores it.
        if (!DeclaresMailSend(app) && SendScopeTag.TryParse(app.Tags, out var scopedOn))
            reporter.Verbose($"App {app.AppId} is scoped to a mailbox with Exchange RBAC for Applications (since {scopedOn:u}, its tag): Mail.Send is not added to its required permissions again, so a later \"Grant admin consent\" cannot make it tenant-wide. Grant-MailSendConsent -Scope Tenant undoes the scope.");
        else if (!DeclaresMailSend(app))
        {
            reporter.Verbose("Adding Mail.Send (application) to the app's required permissions.");
            await directory.UpdateAppAsync(app.Id!, new Application { RequiredResourceAccess = WithMailSend(app.RequiredResourceAccess) }, ct).ConfigureAwait(false);
        }

        // 3. The service principal first, 4. then the secret: both wait for the new app to replicate,
        //    so once the first is through the second rarely waits; and a secret is only created when
        //    nothing after it can fail, so its value (shown once) is never lost in an error.
        var sp = await EnsureServicePrincipalAsync(directory, waiter, appId, isNew, ct).ConfigureAwait(false);
        var secret = await AddSecretAsync(directory, waiter, app, isNew, request.SecretDescription, request.SecretLifetimeMonths,
            provisioning == "Created", NewAppRerun, _session.TimeProvider, ct).ConfigureAwait(false);
        var secretCount = (app.PasswordCredentials?.Count ?? 0) + 1;
        if (provisioning != "Created" && secretCount > 2)
            reporter.Warning($"Application '{app.DisplayName}' (client ID {appId}) now has {secretCount} client secrets, each a live credential. Get-MailOAuthSecret -ClientId {appId} lists them; Update-MailOAuthSecret rotates (and removes the superseded ones) and Remove-MailOAuthSecret removes one.");

        // 5. The vault copy (docs/design.md#key-vault): after the secret exists; a failure is a warning and the
        //    outcome's KeyVaultStatus, never an error, so the value below is always output.
        var value = SecretText.Protect(secret.SecretText!);
        var expiresOn = secret.EndDateTime ?? _session.TimeProvider.GetUtcNow().AddMonths(request.SecretLifetimeMonths);
        var vault = request.KeyVault is null ? KeyVault.KeyVaultOutcome.NotRequested : await KeyVault.KeyVaultWriter.StoreAsync(_session, connection, request.KeyVault,
            new KeyVault.VaultSecretFacts { AppDisplayName = app.DisplayName ?? request.DisplayName, TenantId = connection.TenantId, ClientId = appId,
                KeyId = secret.KeyId?.ToString() ?? "", ExpiresOn = expiresOn }, value, ct).ConfigureAwait(false);

        return new NewAppOutcome
        {
            TenantId = connection.TenantId,
            ClientId = appId,
            ObjectId = app.Id!,
            ServicePrincipalId = sp.Id!,
            DisplayName = app.DisplayName ?? request.DisplayName,
            SenderAddress = request.SenderAddress,
            ClientSecret = value,
            SecretKeyId = secret.KeyId?.ToString() ?? "",
            SecretHint = secret.Hint,
            SecretCreatedOn = secret.StartDateTime ?? _session.TimeProvider.GetUtcNow(),
            SecretExpiresOn = expiresOn,
            Provisioning = provisioning,
            Environment = connection.Environment.Name,
            ReplicationWait = waiter.Waited,
            KeyVault = vault,
        };
    }

    /// <summary>
    /// Reads the app management policy that applies to the app (an existing one, or one about to be created)
    /// and refuses a secret it would reject — longer than its maximum lifetime, or blocked — before anything
    /// is written (docs/service-behaviour.md#secret-policy). A policy that cannot be read (no Policy.Read.All)
    /// is a Verbose line: addPassword's own refusal is then the check.
    /// </summary>
    internal static async Task PreflightSecretPolicyAsync(Auth.AdminConnection connection, Application? existing, int lifetimeMonths, TimeProvider time, CancellationToken ct)
    {
        var reporter = OperationContext.CurrentReporter;
        var now = time.GetUtcNow();
        var policy = await new SecretPolicyReader(connection).ReadAsync(existing?.Id, existing?.CreatedDateTime ?? now, ct).ConfigureAwait(false);
        if (!policy.Readable)
        {
            reporter.Verbose($"Could not read the tenant's app management policies ({policy.UnreadableReason}); the secret's lifetime is not checked before creating.");
            return;
        }
        if (policy.PasswordAdditionBlocked)
            throw new MailOAuthException(DiagnosisCatalog.SecretAdditionBlockedBeforeCreate(policy.AdditionBlockedSource!));
        if (policy.MaxLifetime is { } max && now.AddMonths(lifetimeMonths) - now > max)
            throw new MailOAuthException(DiagnosisCatalog.SecretLifetimeOverPolicy(lifetimeMonths, max, policy.MaxLifetimeSource!));
        reporter.Verbose(policy.MaxLifetime is { } m
            ? $"The {policy.MaxLifetimeSource} allows secrets of up to {DiagnosisCatalog.DescribeLifetime(m)}: {lifetimeMonths} months is within it."
            : "No app management policy limits the secret's lifetime.");
    }

    /// <summary>What to run again after New-MailOAuthApp stopped without its secret.</summary>
    private const string NewAppRerun = "running New-MailOAuthApp again completes it (the app is reused)";

    /// <summary>
    /// addPassword with MailOAuth's marker in the description (<see cref="EntraIds.SecretMarker"/>), riding out
    /// a new app's replication. After an answer lost in transit the secret that was made anyway is removed.
    /// <paramref name="rerun"/> says what the admin runs to complete the work when this fails (for the error's note).
    /// </summary>
    internal static async Task<PasswordCredential> AddSecretAsync(DirectoryClient directory, ReplicationWaiter waiter, Application app, bool isNew,
        string secretDescription, int lifetimeMonths, bool appCreatedNow, string rerun, TimeProvider time, CancellationToken ct)
    {
        var description = EntraIds.MarkedSecretDescription(secretDescription);
        const string permission = "Application.ReadWrite.All (or Application.ReadWrite.OwnedBy)";
        var known = new HashSet<Guid>((app.PasswordCredentials ?? new List<PasswordCredential>()).Where(p => p.KeyId is not null).Select(p => p.KeyId!.Value));
        var startedAt = time.GetUtcNow();
        try
        {
            // docs/service-behaviour.md#replication: addPassword right after creation answers Request_ResourceNotFound.
            return await waiter.UntilAsync($"application {app.AppId} (to add its secret)", isNew,
                c => directory.AddPasswordRawAsync(app.Id!, description, time.GetUtcNow().AddMonths(lifetimeMonths), c),
                ex => GraphErrors.Is(ex, 404), ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException("addPassword answered without a credential.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var explained = directory.Explain(ex, "add a client secret to the application", permission, app.AppId);
            // The answer was lost after the request was sent: a secret may exist whose value nobody got.
            if (ex is Resilience.AmbiguousRequestException || GraphErrors.Is(ex, 504))
            {
                var lost = await RemoveLostSecretsAsync(directory, app, known, description, startedAt, ct).ConfigureAwait(false);
                throw new MailOAuthException(explained.Diagnosis.WithNote(lost +
                    $" Application '{app.DisplayName}' (client ID {app.AppId}) has no new secret; {rerun}."), ex);
            }
            if (explained.Code == DiagnosisCode.SecretLifetimeNotAllowed || appCreatedNow)
                throw new MailOAuthException(explained.Diagnosis.WithNote(
                    $"Application '{app.DisplayName}' (client ID {app.AppId}) exists without a new secret; {rerun}."), ex);
            throw explained;
        }
    }

    /// <summary>
    /// After an addPassword whose answer was lost: reads the app's secrets back and removes each one that
    /// this attempt made (not known before, MailOAuth's description, started since the attempt) — its value
    /// was never received, so it is a live credential nobody holds. Says what was found and done. The
    /// New-MailOAuthApp confirmation covered adding that secret; removing it undoes only this run's own
    /// half-made write, never a secret that existed before.
    /// </summary>
    private static async Task<string> RemoveLostSecretsAsync(DirectoryClient directory, Application app, HashSet<Guid> known,
        string description, DateTimeOffset startedAt, CancellationToken ct)
    {
        var reporter = OperationContext.CurrentReporter;
        Application? now;
        try
        {
            now = await directory.GetAppByClientIdAsync(app.AppId!, ct).ConfigureAwait(false);
        }
        catch (MailOAuthException read)
        {
            return $"MailOAuth could not read the app's secrets back to check whether a secret was made anyway ({read.Code}): look in Entra ID → the app → Certificates & secrets for a '{description}' secret created just now, and delete it (its value was never received).";
        }
        var lost = (now?.PasswordCredentials ?? new List<PasswordCredential>())
            .Where(p => p.KeyId is { } id && !known.Contains(id) && p.DisplayName == description
                        && (p.StartDateTime is null || p.StartDateTime >= startedAt.AddMinutes(-5)))
            .ToList();
        if (lost.Count == 0) return "The app's secrets read back show no new secret: none was made.";
        var notes = new List<string>();
        foreach (var p in lost)
        {
            var name = $"secret {p.KeyId} (hint {p.Hint}…)";
            try
            {
                reporter.Warning($"addPassword took effect but its answer was lost: removing the new {name} of app {app.AppId}, whose value nobody received.");
                await directory.RemovePasswordAsync(app.Id!, p.KeyId!.Value, ct).ConfigureAwait(false);
                notes.Add($"The request had taken effect: the new {name} was unusable (its value never arrived) and was removed.");
            }
            catch (MailOAuthException removal)
            {
                notes.Add($"The request had taken effect: the new {name} is unusable (its value never arrived) and could not be removed ({removal.Code}); delete it in Entra ID → the app → Certificates & secrets.");
            }
        }
        return string.Join(" ", notes);
    }

    /// <summary>The app's service principal, created (upsert by appId) when missing, riding out replication for a new app.</summary>
    internal static async Task<ServicePrincipal> EnsureServicePrincipalAsync(DirectoryClient directory, ReplicationWaiter waiter, string appId, bool isNew, CancellationToken ct)
    {
        var existing = await directory.GetServicePrincipalAsync(appId, ct).ConfigureAwait(false);
        if (existing is not null) return existing;
        try
        {
            // docs/service-behaviour.md#service-principal: NoBackingApplicationObject until the new app replicates.
            var created = await waiter.UntilAsync($"application {appId} (to create its service principal)", isNew,
                c => directory.UpsertServicePrincipalRawAsync(appId, c),
                ex => GraphErrors.Is(ex, 400, "Request_BadRequest", "NoBackingApplicationObject") || GraphErrors.Is(ex, 404) || IsBackingApplicationNotLocalYet(ex),
                ct).ConfigureAwait(false);
            return created ?? await waiter.UntilAsync($"the service principal of {appId} (to read it back)", objectIsNew: true,
                async c => await directory.GetServicePrincipalAsync(appId, c).ConfigureAwait(false) ?? throw new NotYetVisibleException("The service principal"),
                ex => ex is NotYetVisibleException, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw directory.Explain(ex, "create the app's service principal", "Application.ReadWrite.All (or Application.ReadWrite.OwnedBy)", appId);
        }
    }

    /// <summary>Apps of this tenant managed by MailOAuth, or the one with <paramref name="clientId"/>, or those named <paramref name="displayName"/>.</summary>
    public Task<IReadOnlyList<AppInfo>> GetAsync(string? clientId, string? displayName, CancellationToken ct) =>
        Explained.RunAsync("read the applications", GraphEndpoint, () => GetCoreAsync(clientId, displayName, ct), ct);

    private async Task<IReadOnlyList<AppInfo>> GetCoreAsync(string? clientId, string? displayName, CancellationToken ct)
    {
        var connection = _session.RequireConnection();
        var directory = new DirectoryClient(connection);
        List<Application> apps;
        if (clientId is not null)
        {
            var app = await directory.GetAppByClientIdAsync(clientId, ct).ConfigureAwait(false);
            if (app is null)
                throw new MailOAuthException(DiagnosisCatalog.AppNotFoundByClientId(clientId, connection.TenantId, AppLookup.Read));
            apps = new List<Application> { app };
        }
        else if (displayName is not null) apps = await directory.FindAppsByNameAsync(displayName, ct).ConfigureAwait(false);
        else apps = await directory.FindManagedAppsAsync(ct).ConfigureAwait(false);

        var graphSp = apps.Count == 0 ? null : await directory.GetServicePrincipalAsync(EntraIds.GraphAppId, ct).ConfigureAwait(false);
        var result = new List<AppInfo>();
        var asOf = _session.TimeProvider.GetUtcNow();
        var scopes = new SendScopeReader(connection, directory);
        foreach (var app in apps)
        {
            var sp = await directory.GetServicePrincipalAsync(app.AppId!, ct).ConfigureAwait(false);
            var consent = "NoServicePrincipal";
            AppRoleAssignment? grant = null;
            if (sp is not null)
            {
                var assignments = await directory.GetAppRoleAssignmentsAsync(sp.Id!, ct).ConfigureAwait(false);
                grant = assignments.FirstOrDefault(a => MailSendGrant.IsTenantWide(a, graphSp?.Id));
                consent = grant is not null ? "Granted" : "NotGranted";
            }
            var scope = await scopes.ReadAsync(app, sp, grant, ct).ConfigureAwait(false);
            // A mailbox-scoped app has no tenant-wide grant by design: its Mail.Send comes from Exchange (docs/service-behaviour.md#exchange-rbac).
            if (consent == "NotGranted" && scope.SendScope.StartsWith("Mailbox", StringComparison.Ordinal)) consent = "ScopedToMailbox";
            result.Add(new AppInfo
            {
                TenantId = connection.TenantId,
                DisplayName = app.DisplayName ?? "",
                ClientId = app.AppId ?? "",
                ObjectId = app.Id ?? "",
                ServicePrincipalId = sp?.Id,
                IsManaged = IsManaged(app),
                MailSendDeclared = DeclaresMailSend(app),
                Consent = consent,
                SendScope = scope.SendScope,
                ScopeAssignedOn = scope.AssignedOn,
                ScopeStage = scope.ScopeStage,
                CreatedOn = app.CreatedDateTime,
                Secrets = (app.PasswordCredentials ?? new List<PasswordCredential>()).Select(p => new SecretInfo
                {
                    KeyId = p.KeyId?.ToString() ?? "",
                    Hint = p.Hint,
                    Description = p.DisplayName,
                    StartsOn = p.StartDateTime,
                    ExpiresOn = p.EndDateTime,
                }).OrderBy(s => s.ExpiresOn).ToList(),
                AsOf = asOf,
            });
        }
        return result;
    }

    /// <summary>Deletes an app (its service principal and grants go with it).</summary>
    public async Task RemoveAsync(string clientId, bool force, CancellationToken ct) => await RemoveAsync(clientId, force, permanent: false, ct).ConfigureAwait(false);

    /// <summary>
    /// Deletes an app. Entra keeps a deleted app 30 days in its deleted items (restorable, its alternate
    /// key reserved); <paramref name="permanent"/> also removes it from there.
    /// </summary>
    public Task RemoveAsync(string clientId, bool force, bool permanent, CancellationToken ct) =>
        Explained.RunAsync("delete the application", GraphEndpoint, () => RemoveCoreAsync(clientId, force, permanent, ct), ct);

    private async Task RemoveCoreAsync(string clientId, bool force, bool permanent, CancellationToken ct)
    {
        var connection = _session.RequireConnection();
        var directory = new DirectoryClient(connection);
        var app = await directory.GetAppByClientIdAsync(clientId, ct).ConfigureAwait(false)
            ?? throw new MailOAuthException(DiagnosisCatalog.AppNotFoundByClientId(clientId, connection.TenantId, AppLookup.Remove));
        if (!IsManaged(app) && !force)
            throw new MailOAuthException(DiagnosisCatalog.AppNotManaged(app.DisplayName ?? "", clientId, connection.TenantId, "it was not deleted"));
        await directory.DeleteAppAsync(app.Id!, ct).ConfigureAwait(false);
        if (permanent) await directory.PurgeDeletedAppAsync(app.Id!, ct).ConfigureAwait(false);
        _session.ForgetAppClients(clientId);
    }

    /// <summary>
    /// docs/service-behaviour.md#service-principal: the second transient form Azure CLI retries — a 403 Authorization_RequestDenied "the
    /// backing application of the service principal being created must in the local tenant", seen with
    /// Application.ReadWrite.OwnedBy right after the app is created. Its code is the generic
    /// Authorization_RequestDenied, so only the message tells it from a real lack of rights.
    /// </summary>
    private static bool IsBackingApplicationNotLocalYet(Exception ex) =>
        GraphErrors.HasMessage(ex, 403, "Authorization_RequestDenied", "backing application");

    /// <summary>
    /// The answer that means "a deleted application still holds this uniqueName": 400 Request_BadRequest
    /// naming the uniqueName property (docs/service-behaviour.md#unique-name-conflict). Request_BadRequest
    /// alone is Graph's code for every malformed request, so the property name in the message is the only
    /// evidence; without it the refusal is real and is not worked around with another key.
    /// </summary>
    private static bool IsUniqueNameHeld(MailOAuthException ex) =>
        ex.InnerException is { } answer && GraphErrors.HasMessage(answer, 400, "Request_BadRequest", "uniqueName");

    /// <summary>How many alternate keys a display name may use while deleted apps hold the earlier ones.</summary>
    private const int MaxAlternateKeys = 5;

    internal static bool IsManaged(Application app) => app.Tags?.Contains(EntraIds.ManagedTag) == true;

    internal static bool DeclaresMailSend(Application app) =>
        app.RequiredResourceAccess?.Any(r => r.ResourceAppId == EntraIds.GraphAppId
            && r.ResourceAccess?.Any(a => a.Id == EntraIds.MailSendAppRoleId && a.Type == "Role") == true) == true;

    /// <summary>Created within the replication window: its replication symptoms are expected, not errors.</summary>
    internal static bool IsRecent(Application app, TimeProvider time) =>
        app.CreatedDateTime is null || ReplicationWaiter.IsRecent(app.CreatedDateTime, time);

    private static Application NewAppBody(string displayName) => new()
    {
        DisplayName = displayName,
        SignInAudience = "AzureADMyOrg",
        Tags = new List<string> { EntraIds.ManagedTag },
        Notes = "Created by MailOAuth to send mail through Microsoft Graph (Mail.Send, application permission). Managed by MailOAuth; rotate its secret with MailOAuth.",
        RequiredResourceAccess = WithMailSend(null),
    };

    internal static List<RequiredResourceAccess> WithMailSend(List<RequiredResourceAccess>? existing)
    {
        var list = existing?.ToList() ?? new List<RequiredResourceAccess>();
        var graph = list.FirstOrDefault(r => r.ResourceAppId == EntraIds.GraphAppId);
        if (graph is null)
        {
            graph = new RequiredResourceAccess { ResourceAppId = EntraIds.GraphAppId, ResourceAccess = new List<ResourceAccess>() };
            list.Add(graph);
        }
        graph.ResourceAccess ??= new List<ResourceAccess>();
        if (!graph.ResourceAccess.Any(a => a.Id == EntraIds.MailSendAppRoleId && a.Type == "Role"))
            graph.ResourceAccess.Add(new ResourceAccess { Id = EntraIds.MailSendAppRoleId, Type = "Role" });
        return list;
    }

    /// <summary>
    /// The required permissions without Mail.Send (application): a scoped app must not declare it, or the portal's
    /// "Grant admin consent" would silently make it tenant-wide again (docs/service-behaviour.md#exchange-rbac).
    /// Every other permission is kept; Graph's entry goes only when Mail.Send was all it held.
    /// </summary>
    internal static List<RequiredResourceAccess> WithoutMailSend(List<RequiredResourceAccess>? existing)
    {
        var list = new List<RequiredResourceAccess>();
        foreach (var r in existing ?? new List<RequiredResourceAccess>())
        {
            if (r.ResourceAppId != EntraIds.GraphAppId) { list.Add(r); continue; }
            var kept = (r.ResourceAccess ?? new List<ResourceAccess>()).Where(a => !(a.Id == EntraIds.MailSendAppRoleId && a.Type == "Role")).ToList();
            if (kept.Count > 0) list.Add(new RequiredResourceAccess { ResourceAppId = r.ResourceAppId, ResourceAccess = kept });
        }
        return list;
    }
}
