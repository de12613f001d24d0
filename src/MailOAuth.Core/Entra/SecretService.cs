using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Mail;
using MailOAuth.Core.Platform;
using Microsoft.Graph.Models;

namespace MailOAuth.Core.Entra;

/// <summary>
/// Get-, Update- and Remove-MailOAuthSecret: the whole life of an app's client secret. A rotation adds a
/// new secret, proves it (fresh tokens, optionally a real send), stores it on the platform and runs the
/// platform's own test, and only then removes what it superseded — so the platform is never left without a
/// working secret. MailOAuth removes only secrets it created (<see cref="EntraIds.SecretMarker"/>).
/// </summary>
public sealed class SecretService
{
    /// <summary>Under this many days left, a credential is ExpiringSoon.</summary>
    public const int ExpiringSoonDays = 30;

    private const string WritePermission = "Application.ReadWrite.All (or Application.ReadWrite.OwnedBy)";
    private readonly MailOAuthSession _session;

    public SecretService(MailOAuthSession session) => _session = session;

    private Uri? GraphEndpoint => _session.Connection?.Environment.GraphEndpoint;

    // ---------------------------------------------------------------- Get-MailOAuthSecret

    /// <summary>The credentials of the apps asked for, sorted by expiry (those without one last).</summary>
    public Task<IReadOnlyList<CredentialInfo>> ListAsync(SecretQuery query, CancellationToken ct)
    {
        if (query.Platform is not null) PlatformClient.RequireSecureUri(query.Platform.PlatformUri);
        return Explained.RunAsync("read the apps' secrets", GraphEndpoint, () => ListCoreAsync(query, ct), ct);
    }

    private async Task<IReadOnlyList<CredentialInfo>> ListCoreAsync(SecretQuery query, CancellationToken ct)
    {
        var connection = _session.RequireConnection();
        var directory = new DirectoryClient(connection);
        var apps = new List<Application>();
        if (query.ClientId is not null)
        {
            apps.Add(await directory.GetAppByClientIdAsync(query.ClientId, ct).ConfigureAwait(false)
                ?? throw new MailOAuthException(DiagnosisCatalog.AppNotFoundByClientId(query.ClientId, connection.TenantId, AppLookup.Read)));
        }
        else if (query.DisplayName is not null) apps.AddRange(await directory.FindAppsByNameAsync(query.DisplayName, ct).ConfigureAwait(false));
        else apps.AddRange(await directory.FindManagedAppsAsync(ct).ConfigureAwait(false));
        if (query.All) apps.AddRange(await MailSendHoldersAsync(connection, directory, ct).ConfigureAwait(false));
        apps = apps.GroupBy(a => a.Id).Select(g => g.First()).ToList();

        var view = query.Platform is null ? null : await TryReadPlatformAsync(query.Platform, ct).ConfigureAwait(false);
        var now = _session.TimeProvider.GetUtcNow();
        var rows = new List<CredentialInfo>();
        foreach (var app in apps)
        {
            rows.AddRange(Secrets(connection.TenantId, app, now, query.Platform is null ? null : view));
            foreach (var key in app.KeyCredentials ?? new List<KeyCredential>())
                rows.Add(Row(connection.TenantId, app, "Certificate", key.KeyId?.ToString() ?? "", Thumbprint(key), key.DisplayName,
                    key.StartDateTime, key.EndDateTime, now, managed: false, inUse: query.Platform is null || view is null ? null : false));
            foreach (var federated in await directory.GetFederatedCredentialsAsync(app.Id!, ct).ConfigureAwait(false))
                rows.Add(Row(connection.TenantId, app, "FederatedCredential", federated.Id ?? "", federated.Subject, federated.Name,
                    null, null, now, managed: false, inUse: query.Platform is null || view is null ? null : false));
        }
        if (query.ExpiringWithinDays is { } days)
            rows = rows.Where(r => r.ExpiresOn is { } e && e <= now.AddDays(days)).ToList();
        return rows.OrderBy(r => r.ExpiresOn ?? DateTimeOffset.MaxValue).ThenBy(r => r.AppDisplayName, StringComparer.OrdinalIgnoreCase)
            .ThenBy(r => r.KeyId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The apps of this tenant whose service principal holds Mail.Send (application) on Microsoft Graph: the
    /// assignments to Graph's service principal name them (docs/service-behaviour.md#app-role-assignment); and, when the
    /// connection may read Exchange role assignments (RoleManagement.Read.*), those holding the Exchange role
    /// "Application Mail.Send" (a mailbox-scoped app has no Graph grant: docs/service-behaviour.md#exchange-rbac). A
    /// holder without an application here (a managed identity, another tenant's app) has no secrets to list.
    /// </summary>
    private static async Task<List<Application>> MailSendHoldersAsync(AdminConnection connection, DirectoryClient directory, CancellationToken ct)
    {
        var graphSp = await directory.GetServicePrincipalAsync(EntraIds.GraphAppId, ct).ConfigureAwait(false)
            ?? throw new MailOAuthException(DiagnosisCatalog.GraphServicePrincipalMissing());
        var roleId = graphSp.AppRoles?.FirstOrDefault(r => r.Value == EntraIds.MailSendRoleValue && r.AllowedMemberTypes?.Contains("Application") == true)?.Id
            ?? EntraIds.MailSendAppRoleId;
        var holders = (await directory.GetAppRoleAssignedToAsync(graphSp.Id!, ct).ConfigureAwait(false))
            .Where(a => a.AppRoleId == roleId && a.PrincipalId is not null && a.PrincipalType is null or "ServicePrincipal")
            .Select(a => a.PrincipalId!.Value.ToString()).ToList();
        holders.AddRange(await ExchangeMailSendHoldersAsync(connection, ct).ConfigureAwait(false));
        var apps = new List<Application>();
        foreach (var principalId in holders.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var sp = await directory.GetServicePrincipalByIdAsync(principalId, ct).ConfigureAwait(false);
            if (sp?.AppId is null) continue;
            var app = await directory.GetAppByClientIdAsync(sp.AppId, ct).ConfigureAwait(false);
            if (app is not null) apps.Add(app);
            else OperationContext.CurrentReporter.Verbose($"Service principal '{sp.DisplayName}' ({sp.AppId}) holds Mail.Send but has no application in this tenant (a managed identity or another tenant's app): it has no secrets here to list.");
        }
        return apps;
    }

    /// <summary>
    /// The service principal ids holding the Exchange role "Application Mail.Send" (any scope). Reading Exchange is a
    /// courtesy, as in <see cref="SendScopeReader"/>: without RoleManagement.Read.* or on a refusal, none, said in Verbose.
    /// </summary>
    private static async Task<List<string>> ExchangeMailSendHoldersAsync(AdminConnection connection, CancellationToken ct)
    {
        var reporter = OperationContext.CurrentReporter;
        if (!ExchangeRbacClient.CanRead(connection))
        {
            reporter.Verbose($"-All: the connection holds none of {string.Join(", ", ExchangeRbacClient.ReadPermissions)}, so apps whose Mail.Send is scoped to mailboxes by an Exchange \"Application Mail.Send\" assignment are not listed (only Microsoft Graph Mail.Send holders are).");
            return new List<string>();
        }
        try
        {
            var exchange = new ExchangeRbacClient(connection);
            var role = await exchange.FindRoleDefinitionAsync(ExchangeRbacClient.MailSendRoleName, ct).ConfigureAwait(false);
            if (role is null) return new List<string>();
            return (await exchange.ListAssignmentsOfRoleAsync(role.Id, ct).ConfigureAwait(false))
                .Select(a => ExchangeRbacClient.ServicePrincipalOf(a.PrincipalId)).Where(id => id is not null).Select(id => id!).ToList();
        }
        catch (MailOAuthException ex)
        {
            reporter.Verbose($"-All: the Exchange role assignments could not be read ({ex.Code}); apps scoped to mailboxes by Exchange RBAC for Applications are not listed.");
            return new List<string>();
        }
    }

    private static IEnumerable<CredentialInfo> Secrets(string tenantId, Application app, DateTimeOffset now, SmtpSettingsView? view) =>
        (app.PasswordCredentials ?? new List<PasswordCredential>()).Select(p => Row(tenantId, app, "ClientSecret", p.KeyId?.ToString() ?? "", p.Hint,
            p.DisplayName, p.StartDateTime, p.EndDateTime, now, EntraIds.IsMarkedSecret(p.DisplayName), InUse(view, app, p)));

    private static CredentialInfo Row(string tenantId, Application app, string type, string keyId, string? hint, string? description,
        DateTimeOffset? created, DateTimeOffset? expires, DateTimeOffset now, bool managed, bool? inUse)
    {
        int? days = expires is { } e ? (int)Math.Floor((e - now).TotalDays) : null;
        return new CredentialInfo
        {
            TenantId = tenantId,
            ClientId = app.AppId ?? "",
            AppDisplayName = app.DisplayName ?? "",
            CredentialType = type,
            KeyId = keyId,
            Hint = hint,
            Description = description,
            CreatedOn = created,
            ExpiresOn = expires,
            DaysLeft = days,
            Status = expires is { } end && end <= now ? "Expired" : expires is { } soon && soon - now < TimeSpan.FromDays(ExpiringSoonDays) ? "ExpiringSoon" : "Valid",
            ManagedByMailOAuth = managed,
            AppManagedByMailOAuth = AppProvisioner.IsManaged(app),
            InUseByPlatform = inUse,
        };
    }

    /// <summary>A certificate's thumbprint as Entra shows it (customKeyIdentifier, hex), its identifying hint.</summary>
    private static string? Thumbprint(KeyCredential key) =>
        key.CustomKeyIdentifier is { Length: > 0 } id ? BitConverter.ToString(id).Replace("-", "") : null;

    /// <summary>
    /// Whether the platform uses this secret: its stored client ID is the app's and its stored hint (the
    /// first three characters, as Entra's hint) is this secret's. Null when that cannot be known: the
    /// platform was not read, shows no hint, or two secrets of the app share the hint.
    /// </summary>
    private static bool? InUse(SmtpSettingsView? view, Application app, PasswordCredential secret)
    {
        if (view is null) return null;
        if (!string.Equals(view.ClientId, app.AppId, StringComparison.OrdinalIgnoreCase)) return false;
        if (string.IsNullOrEmpty(view.ClientSecretHint)) return null;
        if (secret.Hint != view.ClientSecretHint) return false;
        return (app.PasswordCredentials ?? new List<PasswordCredential>()).Count(p => p.Hint == view.ClientSecretHint) == 1 ? true : null;
    }

    private async Task<SmtpSettingsView?> TryReadPlatformAsync(PlatformTarget platform, CancellationToken ct)
    {
        try
        {
            return await new PlatformClient(_session).GetAsync(platform, ct).ConfigureAwait(false);
        }
        catch (MailOAuthException ex)
        {
            OperationContext.CurrentReporter.Warning($"The platform's settings could not be read ({ex.Code}: {ex.Diagnosis.Message}); InUseByPlatform is unknown (empty).");
            return null;
        }
    }

    // ---------------------------------------------------------------- Update-MailOAuthSecret

    /// <summary>What <see cref="RotateAsync"/> would write, read only (for -WhatIf and each confirmation).</summary>
    public Task<RotationPlan> PlanAsync(RotateRequest request, CancellationToken ct)
    {
        if (request.Platform is not null) PlatformClient.RequireSecureUri(request.Platform.PlatformUri);
        return Explained.RunAsync("plan the secret rotation", GraphEndpoint, async () =>
        {
            var connection = _session.RequireConnection();
            if (request.KeyVault is not null) KeyVault.KeyVaultNames.Resolve(request.KeyVault.VaultUri, connection.Environment);
            var state = await ReadStateAsync(new DirectoryClient(connection), connection, request, ct).ConfigureAwait(false);
            var (removals, notes) = Superseded(state, request, newKeyId: null, newStart: null);
            if (IsScoped(state.Scope))
                notes.Add($"App {request.ClientId} is scoped to a mailbox with Exchange RBAC for Applications (SendScope {state.Scope.SendScope}): its tokens carry no Mail.Send role by design, so a token issued with the new value is the token proof.");
            return new RotationPlan
            {
                ClientId = request.ClientId,
                AppDisplayName = state.App.DisplayName ?? "",
                AppManagedByMailOAuth = AppProvisioner.IsManaged(state.App),
                PlatformHolds = state.PlatformHolds,
                Removals = removals.Select(p => Row(connection.TenantId, state.App, "ClientSecret", p.KeyId?.ToString() ?? "", p.Hint, p.DisplayName,
                    p.StartDateTime, p.EndDateTime, _session.TimeProvider.GetUtcNow(), EntraIds.IsMarkedSecret(p.DisplayName), p == state.PlatformSecret)).ToList(),
                Notes = notes,
            };
        }, ct);
    }

    /// <summary>The zero-downtime rotation (see the class summary); see docs/help/Update-MailOAuthSecret.md for each step.</summary>
    public Task<RotateOutcome> RotateAsync(RotateRequest request, CancellationToken ct)
    {
        if (request.SecretLifetimeMonths is < 1 or > 24)
            throw new ArgumentOutOfRangeException(nameof(request), "The secret lifetime must be 1 to 24 months.");
        if (request.Platform is not null) PlatformClient.RequireSecureUri(request.Platform.PlatformUri);
        return Explained.RunAsync("rotate the app's client secret", GraphEndpoint, () => RotateCoreAsync(request, ct), ct);
    }

    private async Task<RotateOutcome> RotateCoreAsync(RotateRequest request, CancellationToken ct)
    {
        var connection = _session.RequireConnection();
        var directory = new DirectoryClient(connection);
        var waiter = new ReplicationWaiter(request.ReplicationBudget, _session.TimeProvider);
        var reporter = OperationContext.CurrentReporter;
        var time = _session.TimeProvider;
        // A -KeyVaultUri that cannot be used is refused before anything is written.
        if (request.KeyVault is not null) KeyVault.KeyVaultNames.Resolve(request.KeyVault.VaultUri, connection.Environment);
        var state = await ReadStateAsync(directory, connection, request, ct).ConfigureAwait(false);
        var app = state.App;

        // Pre-flight, as New-MailOAuthApp does: a lifetime over the app management policy's maximum, or blocked
        // secrets, fail before anything is written (docs/service-behaviour.md#secret-policy); an unreadable
        // policy is a Verbose line, and addPassword's own refusal is then the check.
        var lifetimeMonths = request.SecretLifetimeMonths;
        await AppProvisioner.PreflightSecretPolicyAsync(connection, app, lifetimeMonths, time, ct).ConfigureAwait(false);

        // 1. The new secret.
        reporter.Verbose($"Adding a new client secret to app {request.ClientId} ({lifetimeMonths} months).");
        var added = await AppProvisioner.AddSecretAsync(directory, waiter, app, AppProvisioner.IsRecent(app, time), request.SecretDescription, lifetimeMonths,
            appCreatedNow: false, "running Update-MailOAuthSecret again rotates (no old secret was removed)", time, ct).ConfigureAwait(false);
        var newKeyId = added.KeyId!.Value;
        var newStart = added.StartDateTime ?? time.GetUtcNow();
        var secret = SecretText.Protect(added.SecretText!);
        var newName = $"new secret {newKeyId} ({added.Hint}…)";
        var proven = new List<string>();

        // 2. Proof: fresh tokens with the new value until Mail.Send is in their roles; with a sender and
        //    recipients also a real send. Until the platform holds it, the value exists only in this command:
        //    a failure removes it, because nobody else ever saw it.
        //    A mailbox-scoped app's token never carries Mail.Send (Exchange RBAC for Applications grants it,
        //    docs/service-behaviour.md#exchange-rbac): a token issued with the new value is its token proof, and the send
        //    runs in Send-MailOAuthTest's scoped mode.
        var scoped = IsScoped(state.Scope);
        try
        {
            await ConsentService.ProveTokenAsync(_session, connection, request.ClientId, secret, secretIsNew: true, waiter,
                retryMissingRole: AppProvisioner.IsRecent(app, time), ct, requireMailSend: !scoped).ConfigureAwait(false);
            proven.Add("Token");
            if (request.SenderAddress is not null && request.To.Count > 0)
            {
                await new MailTestService(_session).SendAsync(new MailTestRequest
                {
                    TenantId = connection.TenantId,
                    ClientId = request.ClientId,
                    ClientSecret = secret,
                    SenderAddress = request.SenderAddress,
                    To = request.To,
                    EnvironmentName = connection.Environment.Name,
                    ProvisionedAt = newStart,
                    PropagationBudget = request.ReplicationBudget,
                    SendScope = scoped && MailSendScope.TryParse(state.Scope.SendScope, out var sendScope) ? sendScope : null,
                    ScopeAssignedOn = scoped ? state.Scope.AssignedOn : null,
                }, ct).ConfigureAwait(false);
                proven.Add("Send");
            }
        }
        catch (MailOAuthException ex)
        {
            throw new MailOAuthException(ex.Diagnosis.WithNote(await DiscardAsync(directory, app, newKeyId, newName, ct).ConfigureAwait(false)
                + " Every old secret was kept" + (state.PlatformHolds is null ? "." : $"; the platform still holds {state.PlatformHolds}.")), ex);
        }

        // 3. The platform: store the new value (Set-ResellerSmtpSetting's path), then its own test.
        var platformUpdated = false;
        var vault = KeyVault.KeyVaultOutcome.NotRequested;
        if (request.Platform is { } platform)
        {
            var client = new PlatformClient(_session);
            var sender = request.SenderAddress ?? state.View!.SenderAddress!;
            try
            {
                await client.SetAsync(platform, new SmtpSettingsInput
                {
                    TenantId = connection.TenantId, ClientId = request.ClientId, ClientSecret = secret, SenderAddress = sender,
                }, ct).ConfigureAwait(false);
            }
            catch (MailOAuthException ex)
            {
                // A failed save may have been stored all the same (a gateway error or a lost answer after the platform
                // wrote it): the platform is read back, and the new secret is removed only when it certainly does not
                // hold it (docs/design.md#rotation-recovery).
                switch (await HoldsNewSecretAsync(client, platform, request.ClientId, added.Hint, state.View, ct).ConfigureAwait(false))
                {
                    case true:
                        reporter.Warning($"The platform answered the save with {ex.Code}, but reading it back shows it holds the {newName}: going on to its test.");
                        break;
                    case false:
                        throw new MailOAuthException(ex.Diagnosis.WithNote(await DiscardAsync(directory, app, newKeyId, newName, ct).ConfigureAwait(false)
                            + " Every old secret of the app was kept."), ex);
                    default:
                        // Kept, and its value in no output: with -KeyVaultUri the vault gets it now, so the value is not lost
                        // with this command (docs/design.md#key-vault).
                        var kept = await StoreInVaultAsync(request, connection, app, newKeyId, added, newStart, lifetimeMonths, secret, ct).ConfigureAwait(false);
                        var keptWhere = kept.Status switch
                        {
                            KeyVault.KeyVaultStatus.Stored => $"its value is in no output, but stored in Key Vault ({kept.SecretId})",
                            KeyVault.KeyVaultStatus.Failed => $"storing its value in Key Vault failed too ({kept.Diagnosis?.Code}), so its value is in no output",
                            _ => "its value is in no output",
                        };
                        throw new MailOAuthException(ex.Diagnosis.WithNote($"The platform may hold the {newName} (reading it back could not tell), so it was kept, "
                            + $"and every old secret too; {keptWhere}. Get-ResellerSmtpSetting shows the platform's hint; run Update-MailOAuthSecret -ClientId {request.ClientId} again to converge."), ex);
                }
            }
            platformUpdated = true;
            reporter.Verbose($"The platform {platform.PlatformUri} now holds the {newName}.");
            // The vault copy once the rotation keeps the new secret for good (docs/design.md#key-vault): the platform holds it now,
            // and before its test, so a failed test leaves the value readable in the vault, not on the platform only.
            vault = await StoreInVaultAsync(request, connection, app, newKeyId, added, newStart, lifetimeMonths, secret, ct).ConfigureAwait(false);
            var recipients = request.To.Count > 0 ? request.To : new[] { sender };
            try
            {
                await client.TestAsync(platform, recipients, newStart, request.ReplicationBudget, ct).ConfigureAwait(false);
            }
            catch (MailOAuthException ex)
            {
                throw new MailOAuthException(ex.Diagnosis.WithNote(
                    $"The platform now holds the {newName} of app {request.ClientId} ({(vault.Status == KeyVault.KeyVaultStatus.Stored ? $"its value is stored there and in Key Vault, {vault.SecretId}" : "its value is stored there only")}), and its test failed; every old secret was kept "
                    + $"({string.Join(", ", Others(app, newKeyId).Select(p => $"{p.KeyId} ({p.Hint}…)"))}), so nothing was removed. "
                    + "Fix what the test names and run Send-ResellerTestEmail, or run Update-MailOAuthSecret again to rotate once more."), ex);
            }
            proven.Add("PlatformTest");
        }
        else
        {
            // No platform: the proven secret is kept from here on, so the vault gets it before any old one is removed.
            vault = await StoreInVaultAsync(request, connection, app, newKeyId, added, newStart, lifetimeMonths, secret, ct).ConfigureAwait(false);
        }

        // 4. Remove what this rotation superseded, now that the platform (if any) holds the proven new one.
        var current = await directory.GetAppByClientIdAsync(request.ClientId, ct).ConfigureAwait(false) ?? app;
        var (removals, notes) = Superseded(state with { App = current }, request, newKeyId, newStart);
        foreach (var note in notes) reporter.Verbose(note);
        var removed = new List<string>();
        foreach (var old in removals)
        {
            var keyId = old.KeyId!.Value.ToString();
            if (request.ApprovedRemovals is { } approved && !approved.Contains(keyId))
            {
                reporter.Verbose($"Secret {keyId} ({old.Hint}…) was not confirmed for removal: kept.");
                continue;
            }
            // Made after the platform was last saved, and not what it holds: an interrupted run's secret whose value
            // only that run ever had.
            if (old.KeyId != state.PlatformSecret?.KeyId && state.View?.UpdatedAt is { } saved && old.StartDateTime > saved)
                reporter.Verbose($"Secret {keyId} ({old.Hint}…) was made after the platform was last saved and the platform does not hold it: an earlier, interrupted run made it, so its value was never seen by anyone; it is removed.");
            try
            {
                reporter.Verbose($"Removing superseded secret {keyId} ({old.Hint}…) of app {request.ClientId}.");
                await directory.RemovePasswordAsync(app.Id!, old.KeyId!.Value, ct).ConfigureAwait(false);
                removed.Add(keyId);
            }
            catch (MailOAuthException ex)
            {
                reporter.Warning($"Superseded secret {keyId} ({old.Hint}…) could not be removed ({ex.Code}); Remove-MailOAuthSecret -ClientId {request.ClientId} -KeyId {keyId} removes it later.");
            }
        }
        if (request.Platform is null && removed.Count > 0)
            reporter.Verbose("No -PlatformUri was given: the removed secrets were MailOAuth's older ones; a platform that used one of them needs the new secret.");

        return new RotateOutcome
        {
            TenantId = connection.TenantId,
            ClientId = request.ClientId,
            ObjectId = app.Id ?? "",
            DisplayName = app.DisplayName ?? "",
            SenderAddress = request.SenderAddress ?? state.View?.SenderAddress,
            ClientSecret = secret,
            SecretKeyId = newKeyId.ToString(),
            SecretHint = added.Hint,
            SecretCreatedOn = newStart,
            SecretExpiresOn = added.EndDateTime ?? newStart.AddMonths(lifetimeMonths),
            RemovedKeyIds = removed,
            KeptKeyIds = Others(current, newKeyId).Select(p => p.KeyId!.Value.ToString()).Where(k => !removed.Contains(k)).ToList(),
            PlatformUpdated = platformUpdated,
            ProvenBy = proven,
            PlatformUri = request.Platform?.PlatformUri,
            Environment = connection.Environment.Name,
            ReplicationWait = waiter.Waited,
            KeyVault = vault,
        };
    }

    /// <summary>-KeyVaultUri: the vault copy of the new secret, tagged with what it is; a failure is the outcome's, never an error.</summary>
    private Task<KeyVault.KeyVaultOutcome> StoreInVaultAsync(RotateRequest request, AdminConnection connection, Application app, Guid newKeyId,
        PasswordCredential added, DateTimeOffset newStart, int lifetimeMonths, System.Security.SecureString secret, CancellationToken ct) =>
        request.KeyVault is null
            ? Task.FromResult(KeyVault.KeyVaultOutcome.NotRequested)
            : KeyVault.KeyVaultWriter.StoreAsync(_session, connection, request.KeyVault, new KeyVault.VaultSecretFacts
            {
                AppDisplayName = app.DisplayName ?? request.ClientId, TenantId = connection.TenantId, ClientId = request.ClientId,
                KeyId = newKeyId.ToString(), ExpiresOn = added.EndDateTime ?? newStart.AddMonths(lifetimeMonths),
            }, secret, ct);

    private sealed record RotationState(Application App, SmtpSettingsView? View, PasswordCredential? PlatformSecret, int PlatformMatches,
        string? PlatformHolds, SendScopeState Scope);

    /// <summary>The app, its send scope, and what the platform (if given) holds for it, read before any write.</summary>
    private async Task<RotationState> ReadStateAsync(DirectoryClient directory, AdminConnection connection, RotateRequest request, CancellationToken ct)
    {
        var app = await directory.GetAppByClientIdAsync(request.ClientId, ct).ConfigureAwait(false)
            ?? throw new MailOAuthException(DiagnosisCatalog.AppNotFoundByClientId(request.ClientId, connection.TenantId, AppLookup.Read));
        var scope = await ReadScopeAsync(directory, connection, app, ct).ConfigureAwait(false);
        var secrets = app.PasswordCredentials ?? new List<PasswordCredential>();
        if (request.Platform is null) return new RotationState(app, null, null, 0, null, scope);

        // A platform that cannot be read is not rotated blindly: its error stops here, before any write.
        var view = await new PlatformClient(_session).GetAsync(request.Platform, ct).ConfigureAwait(false);
        var platform = request.Platform.PlatformUri.ToString();
        if (view.ClientId is null && request.SenderAddress is null)
            throw new MailOAuthException(DiagnosisCatalog.PlatformAppMismatch(request.ClientId, platform, null));
        if (view.ClientId is not null && !string.Equals(view.ClientId, request.ClientId, StringComparison.OrdinalIgnoreCase))
            throw new MailOAuthException(DiagnosisCatalog.PlatformAppMismatch(request.ClientId, platform, view.ClientId));
        if (view.ClientId is null) return new RotationState(app, view, null, 0, "no SMTP settings", scope);
        var matches = string.IsNullOrEmpty(view.ClientSecretHint) ? new List<PasswordCredential>() : secrets.Where(p => p.Hint == view.ClientSecretHint).ToList();
        var holds = matches.Count == 1
            ? $"secret {matches[0].KeyId} ({view.ClientSecretHint}…) of app {view.ClientId}"
            : $"a secret with hint {view.ClientSecretHint}… of app {view.ClientId}" + (matches.Count == 0 ? " that the app no longer has" : $" ({matches.Count} of the app's secrets share that hint)");
        return new RotationState(app, view, matches.Count == 1 ? matches[0] : null, matches.Count, holds, scope);
    }

    /// <summary>
    /// How far the app's Mail.Send reaches (the tenant-wide grant, else the Exchange assignments when the connection may
    /// read them, else MailOAuth's tag), read once per rotation. A connection that may not read service principals or
    /// their grants falls back to the tag, said in Verbose: the proof then still decides.
    /// </summary>
    private static async Task<SendScopeState> ReadScopeAsync(DirectoryClient directory, AdminConnection connection, Application app, CancellationToken ct)
    {
        ServicePrincipal? sp;
        AppRoleAssignment? grant = null;
        try
        {
            sp = await directory.GetServicePrincipalAsync(app.AppId!, ct).ConfigureAwait(false);
            if (sp is not null)
            {
                var graphSp = await directory.GetServicePrincipalAsync(EntraIds.GraphAppId, ct).ConfigureAwait(false);
                grant = (await directory.GetAppRoleAssignmentsAsync(sp.Id!, ct).ConfigureAwait(false)).FirstOrDefault(a => MailSendGrant.IsTenantWide(a, graphSp?.Id));
            }
        }
        catch (MailOAuthException ex) when (ex.Code == DiagnosisCode.InsufficientPrivileges)
        {
            var tagged = SendScopeTag.TryParse(app.Tags, out var taggedOn);
            OperationContext.CurrentReporter.Verbose($"App {app.AppId}: its service principal and grants could not be read ({ex.Code}); its send scope comes from MailOAuth's tag{(tagged ? $" (scoped to a mailbox on {taggedOn:u})" : ", which it does not carry")}.");
            return new SendScopeState { SendScope = tagged ? "Mailbox" : "None", AssignedOn = tagged ? taggedOn : null, Tagged = tagged, UnreadableReason = ex.Code.ToString() };
        }
        var state = await new SendScopeReader(connection, directory).ReadAsync(app, sp, grant, ct).ConfigureAwait(false);
        if (state.Tagged && !state.TenantGrant && state.ExchangeRead && state.Assignments.Count == 0)
            OperationContext.CurrentReporter.Verbose($"App {app.AppId} carries MailOAuth's mailbox-scope tag, but Exchange holds no \"Application Mail.Send\" assignment for it: it cannot send. Grant-MailSendConsent -Scope Mailbox -SenderAddress <sender> scopes it again.");
        return state;
    }

    /// <summary>
    /// Mail.Send scoped to mailboxes (Exchange RBAC for Applications), no tenant-wide grant: its tokens carry no Mail.Send role
    /// by design. MailOAuth's tag counts: no Graph grant is to be expected from such an app, and its proof must not ask for one.
    /// </summary>
    private static bool IsScoped(SendScopeState scope) =>
        !scope.TenantGrant && (scope.Tagged || scope.SendScope.StartsWith("Mailbox", StringComparison.Ordinal));

    /// <summary>
    /// The secrets a rotation supersedes: the platform's previous one and MailOAuth's other secrets older than the
    /// new one — never a secret MailOAuth did not create, never the new one, none with -KeepPrevious or when the
    /// platform's previous secret cannot be told apart by its hint.
    /// </summary>
    private static (List<PasswordCredential> Removals, List<string> Notes) Superseded(RotationState state, RotateRequest request, Guid? newKeyId, DateTimeOffset? newStart)
    {
        var notes = new List<string>();
        var removals = new List<PasswordCredential>();
        if (request.KeepPrevious)
        {
            notes.Add("-KeepPrevious: no old secret is removed.");
            return (removals, notes);
        }
        if (state.PlatformMatches > 1)
        {
            notes.Add($"The platform's previous secret cannot be told apart: {state.PlatformMatches} secrets of the app share its hint, so no old secret is removed (Remove-MailOAuthSecret removes one by key id).");
            return (removals, notes);
        }
        foreach (var p in Others(state.App, newKeyId))
        {
            if (newStart is { } start && p.StartDateTime is { } s && s > start) continue; // made after this rotation's: not superseded by it
            if (!EntraIds.IsMarkedSecret(p.DisplayName))
            {
                notes.Add($"Secret {p.KeyId} ({p.Hint}…) was not created by MailOAuth: kept" + (p.KeyId == state.PlatformSecret?.KeyId
                    ? " although the platform used it until now (Remove-MailOAuthSecret removes it)." : "."));
                continue;
            }
            removals.Add(p);
        }
        return (removals, notes);
    }

    /// <summary>
    /// After a failed save: whether the platform holds the new secret (its client ID is the app's and its hint the new
    /// secret's), false when it certainly does not, null when that cannot be told (unreadable, no hint, or the hint is
    /// also the one it held before).
    /// </summary>
    private static async Task<bool?> HoldsNewSecretAsync(PlatformClient client, PlatformTarget platform, string clientId, string? newHint,
        SmtpSettingsView? before, CancellationToken ct)
    {
        SmtpSettingsView view;
        try
        {
            view = await client.GetAsync(platform, ct).ConfigureAwait(false);
        }
        catch (MailOAuthException)
        {
            return null;
        }
        if (string.IsNullOrEmpty(newHint) || !string.Equals(view.ClientId, clientId, StringComparison.OrdinalIgnoreCase) || view.ClientSecretHint != newHint)
            return view.ClientId is not null && string.IsNullOrEmpty(view.ClientSecretHint) ? null : false;
        return string.Equals(before?.ClientId, clientId, StringComparison.OrdinalIgnoreCase) && before?.ClientSecretHint == newHint ? null : true;
    }

    private static IEnumerable<PasswordCredential> Others(Application app, Guid? newKeyId) =>
        (app.PasswordCredentials ?? new List<PasswordCredential>()).Where(p => p.KeyId is not null && p.KeyId != newKeyId);

    /// <summary>Removes the new secret whose value nobody else has (the rotation stopped before it reached the platform).</summary>
    private static async Task<string> DiscardAsync(DirectoryClient directory, Application app, Guid keyId, string name, CancellationToken ct)
    {
        try
        {
            await directory.RemovePasswordAsync(app.Id!, keyId, ct).ConfigureAwait(false);
            OperationContext.CurrentReporter.Verbose($"Removed the {name}: the rotation stopped before any platform held it, so its value was never seen by anyone.");
            return $"The {name} was removed again (its value never left this command).";
        }
        catch (MailOAuthException removal)
        {
            return $"The {name} could not be removed again ({removal.Code}); its value never left this command, so remove it with Remove-MailOAuthSecret -ClientId {app.AppId} -KeyId {keyId}.";
        }
    }

    // ---------------------------------------------------------------- Remove-MailOAuthSecret

    /// <summary>The secret a removal is for, read before the cmdlet confirms (refusals come first).</summary>
    public Task<CredentialInfo> ReadForRemovalAsync(RemoveSecretRequest request, CancellationToken ct) =>
        Explained.RunAsync("read the secret to remove", GraphEndpoint, async () =>
        {
            var connection = _session.RequireConnection();
            var (app, secret) = await CheckRemovalAsync(new DirectoryClient(connection), connection, request, ct).ConfigureAwait(false);
            return Row(connection.TenantId, app, "ClientSecret", secret.KeyId!.Value.ToString(), secret.Hint, secret.DisplayName, secret.StartDateTime,
                secret.EndDateTime, _session.TimeProvider.GetUtcNow(), EntraIds.IsMarkedSecret(secret.DisplayName), request.Platform is null ? null : false);
        }, ct);

    /// <summary>Removes one client secret, refusing the platform's and (without -Force) one on an app MailOAuth does not manage.</summary>
    public Task RemoveAsync(RemoveSecretRequest request, CancellationToken ct) =>
        Explained.RunAsync("remove the client secret", GraphEndpoint, async () =>
        {
            var connection = _session.RequireConnection();
            var directory = new DirectoryClient(connection);
            var (app, secret) = await CheckRemovalAsync(directory, connection, request, ct).ConfigureAwait(false);
            await directory.RemovePasswordAsync(app.Id!, secret.KeyId!.Value, ct).ConfigureAwait(false);
            OperationContext.CurrentReporter.Verbose($"Removed secret {secret.KeyId} ({secret.Hint}…) of app {request.ClientId}; Entra may accept it for a short while longer (docs/service-behaviour.md#remove-password-replication).");
        }, ct);

    private async Task<(Application App, PasswordCredential Secret)> CheckRemovalAsync(DirectoryClient directory, AdminConnection connection,
        RemoveSecretRequest request, CancellationToken ct)
    {
        var app = await directory.GetAppByClientIdAsync(request.ClientId, ct).ConfigureAwait(false)
            ?? throw new MailOAuthException(DiagnosisCatalog.AppNotFoundByClientId(request.ClientId, connection.TenantId, AppLookup.Remove));
        if (!AppProvisioner.IsManaged(app) && !request.Force)
            throw new MailOAuthException(DiagnosisCatalog.AppNotManaged(app.DisplayName ?? "", request.ClientId, connection.TenantId, "the secret was not removed"));
        var secret = (app.PasswordCredentials ?? new List<PasswordCredential>())
            .FirstOrDefault(p => p.KeyId is { } k && Guid.TryParse(request.KeyId, out var wanted) && k == wanted)
            ?? throw new MailOAuthException(DiagnosisCatalog.SecretNotFound(request.ClientId, request.KeyId));
        if (request.Platform is { } platform)
        {
            // The platform is read, not guessed: one that cannot be read stops the removal.
            var view = await new PlatformClient(_session).GetAsync(platform, ct).ConfigureAwait(false);
            if (string.Equals(view.ClientId, app.AppId, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(view.ClientSecretHint) && secret.Hint == view.ClientSecretHint)
            {
                var sameHint = app.PasswordCredentials!.Count(p => p.Hint == view.ClientSecretHint);
                throw new MailOAuthException(DiagnosisCatalog.SecretInUse(request.ClientId, request.KeyId, secret.Hint, platform.PlatformUri.ToString(), ambiguous: sameHint > 1));
            }
        }
        return (app, secret);
    }

}
