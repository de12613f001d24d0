using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Graph;

namespace MailOAuth.Core.Entra;

/// <summary>
/// Grant-MailSendConsent. Admin consent for an *application* permission is an appRoleAssignment from
/// the app's service principal to Microsoft Graph's (docs/service-behaviour.md#app-role-assignment) — done exactly so,
/// in every cloud. With the app's secret at hand it proves the grant with fresh tokens.
/// </summary>
public sealed class ConsentService
{
    private readonly MailOAuthSession _session;

    public ConsentService(MailOAuthSession session) => _session = session;

    /// <summary>
    /// The app a grant would be for. Refuses one MailOAuth does not manage unless <paramref name="force"/>:
    /// tenant-wide Mail.Send lets an app send as any mailbox, so it is never granted to an app by mistake.
    /// </summary>
    public Task<GrantSubject> ReadSubjectAsync(string clientId, bool force, CancellationToken ct) =>
        Explained.RunAsync("read the app to grant Mail.Send", _session.Connection?.Environment.GraphEndpoint, async () =>
        {
            var connection = _session.RequireConnection();
            var app = await ReadAppAsync(new DirectoryClient(connection), connection, clientId, force, ct).ConfigureAwait(false);
            return new GrantSubject
            {
                ClientId = clientId, DisplayName = app.DisplayName ?? "", IsManaged = AppProvisioner.IsManaged(app),
                IsMailboxScoped = SendScopeTag.TryParse(app.Tags, out _),
            };
        }, ct);

    internal static async Task<Microsoft.Graph.Models.Application> ReadAppAsync(DirectoryClient directory, AdminConnection connection, string clientId, bool force, CancellationToken ct)
    {
        var app = await directory.GetAppByClientIdAsync(clientId, ct).ConfigureAwait(false)
            ?? throw new MailOAuthException(DiagnosisCatalog.AppNotFoundByClientId(clientId, connection.TenantId, AppLookup.Grant));
        if (!force && !AppProvisioner.IsManaged(app))
            throw new MailOAuthException(DiagnosisCatalog.AppNotManaged(app.DisplayName ?? "", clientId, connection.TenantId,
                "Mail.Send was not granted"));
        return app;
    }

    public Task<GrantOutcome> GrantAsync(GrantRequest request, CancellationToken ct) =>
        Explained.RunAsync("grant Mail.Send", _session.Connection?.Environment.GraphEndpoint, () => GrantCoreAsync(request, ct), ct);

    internal async Task<GrantOutcome> GrantCoreAsync(GrantRequest request, CancellationToken ct)
    {
        const string grantPermission = "AppRoleAssignment.ReadWrite.All (and Application.Read.All)";
        var connection = _session.RequireConnection();
        var directory = new DirectoryClient(connection);
        var waiter = new ReplicationWaiter(request.ReplicationBudget, _session.TimeProvider);
        var reporter = OperationContext.CurrentReporter;

        var app = await ReadAppAsync(directory, connection, request.ClientId, request.Force, ct).ConfigureAwait(false);
        var isNew = AppProvisioner.IsRecent(app, _session.TimeProvider);

        // Microsoft Graph's service principal and its Mail.Send app role, read from Graph itself.
        var graphSp = await directory.GetServicePrincipalAsync(EntraIds.GraphAppId, ct).ConfigureAwait(false)
            ?? throw new MailOAuthException(DiagnosisCatalog.GraphServicePrincipalMissing());
        var role = graphSp.AppRoles?.FirstOrDefault(r => r.Value == EntraIds.MailSendRoleValue && r.AllowedMemberTypes?.Contains("Application") == true);
        var roleId = role?.Id ?? EntraIds.MailSendAppRoleId;

        // An app made elsewhere may lack its service principal: consent needs one.
        var sp = await AppProvisioner.EnsureServicePrincipalAsync(directory, waiter, request.ClientId, isNew, ct).ConfigureAwait(false);
        var spId = sp.Id!;

        // A service principal created moments ago may not be readable yet (docs/service-behaviour.md#replication).
        var existing = (await waiter.UntilAsync($"service principal {spId} (to read its grants)", isNew,
                c => directory.GetAppRoleAssignmentsAsync(spId, c), ex => ex is MailOAuthException { Code: DiagnosisCode.ApplicationNotFound }, ct).ConfigureAwait(false))
            .FirstOrDefault(a => a.AppRoleId == roleId && a.ResourceId?.ToString() == graphSp.Id);
        var already = existing is not null;
        string? assignmentId = existing?.Id;
        if (!already)
        {
            reporter.Verbose($"Granting Mail.Send (application) to app {request.ClientId}: appRoleAssignment to Microsoft Graph ({graphSp.Id}).");
            try
            {
                var assignment = await waiter.UntilAsync($"service principal {spId} (to grant Mail.Send)", isNew,
                    c => directory.AssignAppRoleRawAsync(graphSp.Id!, spId, roleId, c),
                    ex => GraphErrors.Is(ex, 404) || IsNotValidReference(ex), ct).ConfigureAwait(false);
                assignmentId = assignment?.Id;
            }
            catch (Exception ex) when (IsDuplicate(ex))
            {
                already = true; // granted meanwhile (or the list lagged): "already exists" is success.
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw directory.Explain(ex, "grant Mail.Send (create the app role assignment)", grantPermission, request.ClientId);
            }
        }
        else reporter.Verbose($"Mail.Send is already granted to app {request.ClientId}: nothing to write.");

        // Tokens issued before the grant never gain the role (docs/service-behaviour.md#replication): drop cached ones.
        _session.ForgetAppClients(request.ClientId);

        var verified = false;
        if (request.ClientSecret is not null)
        {
            await ProveAsync(connection, request, waiter, isNew, ct).ConfigureAwait(false);
            verified = true;
        }

        return new GrantOutcome
        {
            TenantId = connection.TenantId,
            ClientId = request.ClientId,
            ServicePrincipalId = spId,
            ResourceId = graphSp.Id!,
            AppRoleId = roleId.ToString(),
            AssignmentId = assignmentId,
            AlreadyGranted = already,
            Verified = verified,
            ReplicationWait = waiter.Waited,
        };
    }

    /// <summary>
    /// Fresh app tokens — a new credential each time, never a cached token — until their roles hold
    /// Mail.Send. A new app or secret may first answer AADSTS700016 / 7000215 / 7000222 (docs/service-behaviour.md#aadsts-expired-secret, #replication).
    /// </summary>
    private Task ProveAsync(AdminConnection connection, GrantRequest request, ReplicationWaiter waiter, bool appIsNew, CancellationToken ct) =>
        ProveTokenAsync(_session, connection, request.ClientId, request.ClientSecret!,
            appIsNew || ReplicationWaiter.IsRecent(request.SecretCreatedOn, _session.TimeProvider), waiter, retryMissingRole: true, ct);

    /// <summary>
    /// Fresh client-credentials tokens for <paramref name="clientId"/> with <paramref name="clientSecret"/> until one is
    /// issued with Mail.Send in its roles. While <paramref name="secretIsNew"/>, the sign-in refusals of a secret
    /// or app not yet replicated are ridden out (docs/service-behaviour.md#replication); a token without the
    /// role is waited for only with <paramref name="retryMissingRole"/> (a grant just made), else it is
    /// MailSendPermissionMissing at once. Without <paramref name="requireMailSend"/> (an app whose Mail.Send is scoped to a
    /// mailbox by Exchange RBAC for Applications: its tokens never carry the role, docs/service-behaviour.md#exchange-rbac)
    /// a token issued with the secret is the proof. Returns the roles of the token that proved it.
    /// </summary>
    internal static async Task<System.Collections.Generic.IReadOnlyList<string>> ProveTokenAsync(MailOAuthSession session, AdminConnection connection,
        string clientId, System.Security.SecureString clientSecret, bool secretIsNew, ReplicationWaiter waiter, bool retryMissingRole, CancellationToken ct,
        bool requireMailSend = true)
    {
        var secret = SecretText.Reveal(clientSecret);
        var http = session.HttpFor(connection.Environment);
        var roles = await waiter.UntilAsync(requireMailSend ? $"Mail.Send in a fresh token for app {clientId}" : $"a fresh token for app {clientId}", objectIsNew: true, async c =>
        {
            var fresh = TokenSource.ForClientSecret(http, connection.TenantId, clientId, secret);
            var claims = AccessTokenClaims.Decode((await fresh.GetGraphTokenAsync(c).ConfigureAwait(false)).Token);
            if (requireMailSend && !claims.HasRole(EntraIds.MailSendRoleValue))
            {
                if (!retryMissingRole)
                    throw new MailOAuthException(DiagnosisCatalog.TokenLacksMailSend(new DiagnosisContext { ClientId = clientId, TenantId = connection.TenantId },
                        claims.Roles.Count == 0 ? "none" : string.Join(", ", claims.Roles)));
                throw new RoleNotYetInTokenException(claims.Roles);
            }
            return claims.Roles;
        }, ex => ex is RoleNotYetInTokenException
            || secretIsNew && ex is MailOAuthException m && m.Code is DiagnosisCode.ApplicationNotFound or DiagnosisCode.InvalidClientSecret or DiagnosisCode.ClientSecretExpired,
        ct).ConfigureAwait(false);
        OperationContext.CurrentReporter.Verbose(requireMailSend
            ? $"A fresh token for app {clientId} carries Mail.Send."
            : $"Entra ID issued a fresh token for app {clientId} with the secret (roles: {(roles.Count == 0 ? "none" : string.Join(", ", roles))}); its Mail.Send is scoped to a mailbox with Exchange RBAC for Applications, so the token carries no Mail.Send role by design.");
        return roles;
    }

    /// <summary>
    /// docs/service-behaviour.md#app-role-assignment: a duplicate assignment is 400 Request_BadRequest "Permission being assigned already
    /// exists on the object." Request_BadRequest alone is too broad and there is no finer code, so the
    /// message is the only evidence that tells this case apart.
    /// </summary>
    private static bool IsDuplicate(Exception ex) =>
        GraphErrors.HasMessage(ex, 400, "Request_BadRequest", "already exists");

    /// <summary>docs/service-behaviour.md#app-role-assignment: a principal not yet replicated can also answer 400 "Not a valid reference update."</summary>
    private static bool IsNotValidReference(Exception ex) =>
        GraphErrors.HasMessage(ex, 400, "Request_BadRequest", "Not a valid reference update");

    private sealed class RoleNotYetInTokenException : Exception
    {
        public RoleNotYetInTokenException(System.Collections.Generic.IReadOnlyList<string> roles)
            : base("The fresh token has no Mail.Send role yet (roles: " + (roles.Count == 0 ? "none" : string.Join(", ", roles)) + ").") { }
    }
}
