using System;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Graph;
using Microsoft.Graph.Models;

namespace MailOAuth.Core.Entra;

/// <summary>How far an app's Mail.Send reaches (Grant-MailSendConsent -Scope).</summary>
public enum SendScopeKind
{
    /// <summary>Tenant-wide admin consent: any mailbox (today's default).</summary>
    Tenant,
    /// <summary>One mailbox, through an Exchange RBAC for Applications assignment.</summary>
    Mailbox,
}

/// <summary>What Grant-MailSendConsent -Scope asks for.</summary>
public sealed class ScopeRequest
{
    public string ClientId { get; init; } = "";
    public SendScopeKind Scope { get; init; } = SendScopeKind.Mailbox;
    /// <summary>The mailbox to scope to (Mailbox); its UPN or an address the directory resolves.</summary>
    public string? SenderAddress { get; init; }
    /// <summary>
    /// Also an app MailOAuth does not manage; and (Mailbox) remove the tenant-wide grant even while the Exchange assignment is
    /// younger than 2 hours, which may deny sends until Exchange applies it (docs/design.md#staged-scoping).
    /// </summary>
    public bool Force { get; init; }
    /// <summary>
    /// Mailbox: stage the scope. Make (or find) the Exchange assignment and write the tag, but keep the tenant-wide grant and the
    /// declared Mail.Send, so a live app goes on sending while Exchange applies the assignment (docs/design.md#staged-scoping).
    /// </summary>
    public bool KeepTenantGrant { get; init; }
    /// <summary>-Scope Tenant: the secret that proves the restored grant (as Grant-MailSendConsent does).</summary>
    public SecureString? ClientSecret { get; init; }
    public DateTimeOffset? SecretCreatedOn { get; init; }
    public TimeSpan? ReplicationBudget { get; init; }
}

/// <summary>One write a scope change makes; each is confirmed (ShouldProcess) on its own.</summary>
public enum ScopeStepKind
{
    /// <summary>Create the Exchange assignment scoped to the sender.</summary>
    AssignMailbox,
    /// <summary>Replace (or remove) the app's assignments of the role with other scopes by the sender's one.</summary>
    ReplaceAssignments,
    /// <summary>Delete the tenant-wide Graph Mail.Send app role assignment.</summary>
    RemoveTenantGrant,
    /// <summary>Remove Mail.Send (Role) from requiredResourceAccess.</summary>
    RemoveDeclaredMailSend,
    /// <summary>Write the <see cref="SendScopeTag"/>.</summary>
    WriteScopeTag,
    /// <summary>-Scope Tenant: put Mail.Send (Role) back into requiredResourceAccess.</summary>
    RestoreDeclaredMailSend,
    /// <summary>-Scope Tenant: create the tenant-wide app role assignment (the existing consent path).</summary>
    RestoreTenantGrant,
    /// <summary>-Scope Tenant: delete the app's Exchange assignments of the role.</summary>
    DeleteAssignments,
    /// <summary>-Scope Tenant: remove the <see cref="SendScopeTag"/>.</summary>
    RemoveScopeTag,
}

/// <summary>A planned write: what it changes (target) and how (action), for ShouldProcess.</summary>
public sealed class ScopeStep
{
    public ScopeStepKind Kind { get; init; }
    public string Target { get; init; } = "";
    public string Action { get; init; } = "";
    /// <summary>
    /// Confirmed as a High-impact change: removing the tenant-wide grant with -Force while the Exchange assignment may not apply yet
    /// (sends may be denied until <see cref="ScopePlan.ScopeAppliesBy"/>). <see cref="Question"/> is what the confirmation asks.
    /// </summary>
    public bool HighImpact { get; init; }
    public string? Question { get; init; }
}

/// <summary>What a scope change would write, read before any write (so -WhatIf lists every step and writes nothing).</summary>
public sealed class ScopePlan
{
    public string TenantId { get; init; } = "";
    public string ClientId { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public bool IsManaged { get; init; }
    public SendScopeKind Scope { get; init; }
    /// <summary>The sender's UPN (Mailbox).</summary>
    public string? SenderAddress { get; init; }
    /// <summary>The writes, in the order they are made. Empty: the app is already as asked (a re-run writes nothing).</summary>
    public IReadOnlyList<ScopeStep> Steps { get; init; } = Array.Empty<ScopeStep>();
    /// <summary>Mailbox: when the Exchange assignment was made (the tag), or this run's time when it makes it now.</summary>
    public DateTimeOffset? AssignedOn { get; init; }
    /// <summary>Mailbox: <see cref="AssignedOn"/> plus the 2 hours Exchange documents at most for applying it.</summary>
    public DateTimeOffset? ScopeAppliesBy => AssignedOn + DiagnosisCatalog.ExchangeScopeCacheMax;

    internal Application App { get; init; } = new();
    internal string ServicePrincipalId { get; init; } = "";
    internal string GraphServicePrincipalId { get; init; } = "";
    internal ExchangeRoleDefinition? Role { get; init; }
    internal string? UserId { get; init; }
    internal List<ExchangeRoleAssignment> Assignments { get; init; } = new();
    internal ExchangeRoleAssignment? Matching { get; init; }
    internal AppRoleAssignment? TenantGrant { get; init; }
    internal DateTimeOffset? TaggedOn { get; init; }
    internal ScopeRequest Request { get; init; } = new();
}

/// <summary>
/// Grant-MailSendConsent -Scope Mailbox and its way back, -Scope Tenant (docs/service-behaviour.md#exchange-rbac).
/// Effective access is the union of Entra's grant and Exchange's assignments, so a mailbox scope takes three
/// changes: the Exchange role "Application Mail.Send" assigned to the app's service principal for the sender only,
/// the tenant-wide Graph Mail.Send app role assignment removed, and Mail.Send removed from the app's required
/// permissions (else the portal's "Grant admin consent" silently widens it again). The app's tag records when it
/// was scoped (<see cref="SendScopeTag"/>). Planned first (reads only), then written step by step as confirmed.
/// </summary>
public sealed class MailboxScopeService
{
    private readonly MailOAuthSession _session;

    public MailboxScopeService(MailOAuthSession session) => _session = session;

    private Uri? GraphEndpoint => _session.Connection?.Environment.GraphEndpoint;

    /// <summary>Reads what the scope change would write. Refuses without RoleManagement.ReadWrite.Exchange before reading anything.</summary>
    public Task<ScopePlan> PlanAsync(ScopeRequest request, CancellationToken ct) =>
        Explained.RunAsync(request.Scope == SendScopeKind.Mailbox ? "plan scoping Mail.Send to a mailbox" : "plan restoring tenant-wide Mail.Send",
            GraphEndpoint, () => request.Scope == SendScopeKind.Mailbox ? PlanMailboxAsync(request, ct) : PlanTenantAsync(request, ct), ct);

    /// <summary>Makes the steps of <paramref name="plan"/> that were confirmed, in order; a step that depends on one not made is skipped, saying so.</summary>
    public Task<GrantOutcome> ExecuteAsync(ScopePlan plan, ISet<ScopeStepKind> approved, CancellationToken ct) =>
        Explained.RunAsync(plan.Scope == SendScopeKind.Mailbox ? "scope Mail.Send to a mailbox" : "restore tenant-wide Mail.Send",
            GraphEndpoint, () => plan.Scope == SendScopeKind.Mailbox ? ExecuteMailboxAsync(plan, approved, ct) : ExecuteTenantAsync(plan, approved, ct), ct);

    private AdminConnection RequireExchangeWrite(string action)
    {
        var connection = _session.RequireConnection();
        // Checked on the token before anything is read or changed: without it the assignment cannot be made, and
        // removing the tenant-wide grant first would leave the app unable to send at all.
        if (!ExchangeRbacClient.CanWrite(connection))
            throw new MailOAuthException(DiagnosisCatalog.ExchangeRbacPermissionMissing(connection.TenantId, connection.Account is not null, action));
        return connection;
    }

    // ---- Mailbox ----

    private async Task<ScopePlan> PlanMailboxAsync(ScopeRequest request, CancellationToken ct)
    {
        var connection = RequireExchangeWrite("scoping Mail.Send to a mailbox");
        if (string.IsNullOrWhiteSpace(request.SenderAddress))
            throw new ArgumentException("-Scope Mailbox needs the sender address.", nameof(request));
        var directory = new DirectoryClient(connection);
        var exchange = new ExchangeRbacClient(connection);
        var app = await ConsentService.ReadAppAsync(directory, connection, request.ClientId, request.Force, ct).ConfigureAwait(false);
        var sender = request.SenderAddress!;
        var user = await ResolveSenderAsync(directory, sender, ct).ConfigureAwait(false);
        var upn = user.UserPrincipalName ?? sender;

        var sp = await directory.GetServicePrincipalAsync(request.ClientId, ct).ConfigureAwait(false)
            ?? throw new MailOAuthException(DiagnosisCatalog.ConsentMissing(request.ClientId, noServicePrincipal: true));
        var role = await exchange.FindRoleDefinitionAsync(ExchangeRbacClient.MailSendRoleName, ct).ConfigureAwait(false)
            ?? throw new MailOAuthException(DiagnosisCatalog.ExchangeRoleNotFound(ExchangeRbacClient.MailSendRoleName, connection.TenantId));
        var principal = ExchangeRbacClient.PrincipalOf(sp.Id!);
        var assignments = await exchange.ListAssignmentsAsync(principal, role.Id, ct).ConfigureAwait(false);
        var wanted = ExchangeRbacClient.UserScope(user.Id!);
        var matching = assignments.FirstOrDefault(a => string.Equals(a.DirectoryScopeId, wanted, StringComparison.OrdinalIgnoreCase));
        var others = assignments.Where(a => !ReferenceEquals(a, matching)).ToList();
        var (graphSpId, tenantGrant) = await TenantGrantAsync(directory, sp.Id!, ct).ConfigureAwait(false);
        var tagged = SendScopeTag.TryParse(app.Tags, out var taggedOn);

        // When Exchange got the assignment: the tag's time when the assignment is there; this run's time when it makes it (a tag
        // left from an earlier assignment that is gone is rewritten), and also for an assignment without a tag (its age is not
        // known, so it counts from now: the safe side). docs/design.md#staged-scoping.
        var now = _session.TimeProvider.GetUtcNow();
        var assignedOn = matching is not null && tagged ? taggedOn : WholeSeconds(now);
        var appliesBy = assignedOn + DiagnosisCatalog.ExchangeScopeCacheMax;
        var keep = request.KeepTenantGrant;
        // The app held the grant before this run, and Exchange may not apply the assignment yet: the grant may carry every send the
        // platform makes, and its removal reaches the app's next token at once (docs/service-behaviour.md#exchange-rbac).
        var gap = tenantGrant is not null && !keep && now < appliesBy;
        if (gap && !request.Force)
            throw new MailOAuthException(DiagnosisCatalog.TenantGrantStillNeeded(request.ClientId, upn, matching is null ? null : assignedOn, now));

        var what = $"app '{app.DisplayName}' ({request.ClientId}) in tenant {connection.TenantId}";
        var steps = new List<ScopeStep>();
        if (others.Count > 0)
            steps.Add(new ScopeStep
            {
                Kind = ScopeStepKind.ReplaceAssignments, Target = what,
                Action = (matching is null ? $"Replace its Exchange '{role.DisplayName}' assignment{Plural(others)} scoped to {DescribeScopes(others)} by one scoped to mailbox {upn}"
                                           : $"Remove its other Exchange '{role.DisplayName}' assignment{Plural(others)}, scoped to {DescribeScopes(others)}, which widen it beyond mailbox {upn}"),
            });
        else if (matching is null)
            steps.Add(new ScopeStep { Kind = ScopeStepKind.AssignMailbox, Target = what, Action = $"Assign the Exchange role '{role.DisplayName}' scoped to mailbox {upn} ({wanted})" });
        if (tenantGrant is not null && !keep)
            steps.Add(gap
                ? new ScopeStep
                {
                    Kind = ScopeStepKind.RemoveTenantGrant, Target = what, HighImpact = true,
                    Action = $"Remove the tenant-wide Microsoft Graph Mail.Send grant (app role assignment {tenantGrant.Id}) although Exchange may not apply the mailbox assignment before {Utc(appliesBy)}: sends with this app may be denied until then",
                    Question = $"App '{app.DisplayName}' ({request.ClientId}) holds the tenant-wide Mail.Send grant, and Exchange may not apply its mailbox assignment for {upn} before {Utc(appliesBy)}. Removing the grant now may deny every send with this app until then. Remove it?",
                }
                : new ScopeStep { Kind = ScopeStepKind.RemoveTenantGrant, Target = what, Action = $"Remove the tenant-wide Microsoft Graph Mail.Send grant (app role assignment {tenantGrant.Id})" });
        if (AppProvisioner.DeclaresMailSend(app) && !keep)
            steps.Add(new ScopeStep { Kind = ScopeStepKind.RemoveDeclaredMailSend, Target = what, Action = "Remove Mail.Send (application) from the app's required permissions, so that 'Grant admin consent' does not widen it again" });
        if (!tagged || matching is null)
            steps.Add(new ScopeStep { Kind = ScopeStepKind.WriteScopeTag, Target = what, Action = $"Record the mailbox scope in the app's tags ({SendScopeTag.Prefix}Mailbox;<time>)" });

        return new ScopePlan
        {
            TenantId = connection.TenantId, ClientId = request.ClientId, DisplayName = app.DisplayName ?? "", IsManaged = AppProvisioner.IsManaged(app),
            Scope = SendScopeKind.Mailbox, SenderAddress = upn, Steps = steps, App = app, ServicePrincipalId = sp.Id!, GraphServicePrincipalId = graphSpId,
            Role = role, UserId = user.Id, Assignments = assignments, Matching = matching, TenantGrant = tenantGrant,
            TaggedOn = tagged ? taggedOn : null, Request = request, AssignedOn = assignedOn,
        };
    }

    private async Task<GrantOutcome> ExecuteMailboxAsync(ScopePlan plan, ISet<ScopeStepKind> approved, CancellationToken ct)
    {
        var connection = _session.RequireConnection();
        var directory = new DirectoryClient(connection);
        var exchange = new ExchangeRbacClient(connection);
        var reporter = OperationContext.CurrentReporter;
        // A 400/404 on the assignment POST for a brand-new app is waited out as replication, but which answer Exchange gives then
        // is unverified (docs/service-behaviour.md#exchange-rbac): at most AssignmentWaitCap, so a permanent refusal fails soon.
        var budget = plan.Request.ReplicationBudget ?? ReplicationWaiter.DefaultBudget;
        var waiter = new ReplicationWaiter(budget < AssignmentWaitCap ? budget : AssignmentWaitCap, _session.TimeProvider);
        var now = _session.TimeProvider.GetUtcNow();
        var principal = ExchangeRbacClient.PrincipalOf(plan.ServicePrincipalId);
        var wanted = ExchangeRbacClient.UserScope(plan.UserId!);
        var removed = new List<string>();
        var wrote = false;

        var kept = plan.Matching;
        var others = plan.Assignments.Where(a => !ReferenceEquals(a, plan.Matching)).ToList();
        var created = false;
        if (kept is null && (approved.Contains(ScopeStepKind.AssignMailbox) || approved.Contains(ScopeStepKind.ReplaceAssignments)))
        {
            reporter.Verbose($"Assigning the Exchange role '{plan.Role!.DisplayName}' to {principal}, scoped to {wanted} ({plan.SenderAddress}).");
            kept = await CreateAssignmentAsync(exchange, waiter, plan, principal, wanted, ct).ConfigureAwait(false);
            wrote = created = true;
        }
        if (kept is null)
        {
            // Without the scoped assignment, removing the tenant-wide grant would leave the app unable to send at all.
            reporter.Warning($"The Exchange assignment for mailbox {plan.SenderAddress} was not made, so nothing else was changed: app {plan.ClientId} keeps its present Mail.Send.");
            return Outcome(plan, connection, null, plan.TaggedOn, alreadyScoped: false, removed, waiter, tenantGrantKept: plan.TenantGrant is not null);
        }
        // The tag's time for an assignment found with it; the time it was made for a new one (the plan's time for one found untagged).
        var assignedOn = created ? WholeSeconds(_session.TimeProvider.GetUtcNow()) : plan.AssignedOn ?? WholeSeconds(now);
        var appliesBy = assignedOn + DiagnosisCatalog.ExchangeScopeCacheMax;
        var grantRemoved = false;
        try
        {
            if (others.Count > 0 && approved.Contains(ScopeStepKind.ReplaceAssignments))
            {
                foreach (var other in others)
                {
                    await exchange.DeleteAssignmentAsync(other.Id, ct).ConfigureAwait(false);
                    removed.Add($"the Exchange '{plan.Role!.DisplayName}' assignment {other.Id} scoped to {other.DirectoryScopeId ?? "app scope " + other.AppScopeId}");
                }
                wrote = true;
            }
            if (plan.TenantGrant is { } grant && approved.Contains(ScopeStepKind.RemoveTenantGrant))
            {
                await directory.DeleteAppRoleAssignmentAsync(plan.ServicePrincipalId, grant.Id!, ct).ConfigureAwait(false);
                removed.Add($"the tenant-wide Microsoft Graph Mail.Send grant (app role assignment {grant.Id})");
                wrote = grantRemoved = true;
            }
            if (AppProvisioner.DeclaresMailSend(plan.App) && approved.Contains(ScopeStepKind.RemoveDeclaredMailSend))
            {
                await directory.UpdateAppAsync(plan.App.Id!, new Application { RequiredResourceAccess = AppProvisioner.WithoutMailSend(plan.App.RequiredResourceAccess) }, ct).ConfigureAwait(false);
                removed.Add("Mail.Send (application) from the app's required permissions");
                wrote = true;
            }
            if (approved.Contains(ScopeStepKind.WriteScopeTag))
            {
                var tags = (plan.App.Tags ?? new List<string>()).Where(t => !SendScopeTag.IsScopeTag(t)).Append(SendScopeTag.Format(assignedOn)).ToList();
                await directory.UpdateAppAsync(plan.App.Id!, new Application { Tags = tags }, ct).ConfigureAwait(false);
                wrote = true;
            }
        }
        catch (MailOAuthException ex) when (removed.Count > 0)
        {
            // What was already removed is said even when a later step fails (the admin must know the app's state).
            throw new MailOAuthException(ex.Diagnosis.WithNote($"Before this failure MailOAuth had removed {JoinWords(removed)} of app {plan.ClientId}; run the same command again to finish."), ex);
        }
        var tenantGrantKept = plan.TenantGrant is not null && !grantRemoved;
        var afterWindow = _session.TimeProvider.GetUtcNow() >= appliesBy;
        if (removed.Count > 0)
            reporter.Warning($"Removed {JoinWords(removed)} of app {plan.ClientId}: effective access is the union of Entra's grant and Exchange's assignments, " +
                $"so while a wider grant stays the app can still send as any mailbox, and a declared Mail.Send lets 'Grant admin consent' widen it again. " +
                (tenantGrantKept
                    ? "The tenant-wide grant stays for now (below)."
                    : afterWindow
                    ? $"The mailbox assignment was made on {Utc(assignedOn)}, more than the 2 hours Exchange documents for applying it, so sends as {plan.SenderAddress} go on."
                    : grantRemoved
                        ? $"Exchange may not apply the mailbox assignment (made {Utc(assignedOn)}) before {Utc(appliesBy)}: until then sends with this app, as {plan.SenderAddress} too, may be denied."
                        : $"Exchange applies the mailbox scope within 30 minutes to 2 hours: until {Utc(appliesBy)} a send as {plan.SenderAddress} may be denied."));
        if (tenantGrantKept)
            reporter.Warning($"App {plan.ClientId} keeps its tenant-wide Microsoft Graph Mail.Send grant{(AppProvisioner.DeclaresMailSend(plan.App) && !approved.Contains(ScopeStepKind.RemoveDeclaredMailSend) ? " and its declared Mail.Send" : "")}, so it can still send as any mailbox: " +
                $"the mailbox scope for {plan.SenderAddress} is staged (the Exchange assignment was made {Utc(assignedOn)}). " +
                (afterWindow
                    ? "Exchange has had the 2 hours it documents to apply it: run the same command without -KeepTenantGrant now to remove the grant."
                    : $"Exchange applies it within 30 minutes to 2 hours: after {Utc(appliesBy)} run the same command without -KeepTenantGrant to remove the grant without a gap in sending."));
        if (wrote) _session.ForgetAppClients(plan.ClientId); // tokens issued before carry roles that no longer apply
        else if (!tenantGrantKept) reporter.Verbose($"App {plan.ClientId} is already scoped to mailbox {plan.SenderAddress}: nothing to write.");
        return Outcome(plan, connection, kept, assignedOn, alreadyScoped: !wrote, removed, waiter, tenantGrantKept);
    }

    /// <summary>How long a 400/404 on the assignment POST is waited out for a brand-new app (see ExecuteAsync).</summary>
    internal static readonly TimeSpan AssignmentWaitCap = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The POST, riding out a brand-new service principal that Exchange may not know yet (unverified which answer it
    /// gives: docs/service-behaviour.md#exchange-rbac). An answer lost in transit is never repeated: the assignments
    /// are read back and a matching one is taken.
    /// </summary>
    private async Task<ExchangeRoleAssignment> CreateAssignmentAsync(ExchangeRbacClient exchange, ReplicationWaiter waiter, ScopePlan plan,
        string principal, string scope, CancellationToken ct)
    {
        try
        {
            return await waiter.UntilAsync($"service principal {plan.ServicePrincipalId} (to assign it the Exchange role)", AppProvisioner.IsRecent(plan.App, _session.TimeProvider),
                c => exchange.CreateAssignmentAsync(principal, plan.Role!.Id, scope, c),
                ex => ex is MailOAuthException m && m.Diagnosis.HttpStatus is 400 or 404, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Resilience.AmbiguousRequestException || ex.InnerException is Resilience.AmbiguousRequestException)
        {
            var now = await exchange.ListAssignmentsAsync(principal, plan.Role!.Id, ct).ConfigureAwait(false);
            return now.FirstOrDefault(a => string.Equals(a.DirectoryScopeId, scope, StringComparison.OrdinalIgnoreCase)) ?? throw ex;
        }
    }

    // ---- Tenant (undo) ----

    private async Task<ScopePlan> PlanTenantAsync(ScopeRequest request, CancellationToken ct)
    {
        var connection = RequireExchangeWrite("undoing the mailbox scope (deleting the Exchange role assignment)");
        var directory = new DirectoryClient(connection);
        var exchange = new ExchangeRbacClient(connection);
        var app = await ConsentService.ReadAppAsync(directory, connection, request.ClientId, request.Force, ct).ConfigureAwait(false);
        var sp = await directory.GetServicePrincipalAsync(request.ClientId, ct).ConfigureAwait(false);
        var role = await exchange.FindRoleDefinitionAsync(ExchangeRbacClient.MailSendRoleName, ct).ConfigureAwait(false);
        var assignments = sp is null || role is null ? new List<ExchangeRoleAssignment>()
            : await exchange.ListAssignmentsAsync(ExchangeRbacClient.PrincipalOf(sp.Id!), role.Id, ct).ConfigureAwait(false);
        var (graphSpId, tenantGrant) = sp is null ? ("", null) : await TenantGrantAsync(directory, sp.Id!, ct).ConfigureAwait(false);
        var tagged = SendScopeTag.TryParse(app.Tags, out var taggedOn) || (app.Tags?.Any(SendScopeTag.IsScopeTag) ?? false);

        var what = $"app '{app.DisplayName}' ({request.ClientId}) in tenant {connection.TenantId}";
        var steps = new List<ScopeStep>();
        if (!AppProvisioner.DeclaresMailSend(app))
            steps.Add(new ScopeStep { Kind = ScopeStepKind.RestoreDeclaredMailSend, Target = what, Action = "Add Mail.Send (application) back to the app's required permissions" });
        if (tenantGrant is null)
            steps.Add(new ScopeStep { Kind = ScopeStepKind.RestoreTenantGrant, Target = what, Action = "Grant admin consent for Microsoft Graph Mail.Send (application permission), tenant-wide" });
        if (assignments.Count > 0)
            steps.Add(new ScopeStep { Kind = ScopeStepKind.DeleteAssignments, Target = what, Action = $"Delete its Exchange '{role!.DisplayName}' assignment{Plural(assignments)} scoped to {DescribeScopes(assignments)}" });
        if (tagged)
            steps.Add(new ScopeStep { Kind = ScopeStepKind.RemoveScopeTag, Target = what, Action = "Remove the mailbox-scope tag from the app's tags" });
        return new ScopePlan
        {
            TenantId = connection.TenantId, ClientId = request.ClientId, DisplayName = app.DisplayName ?? "", IsManaged = AppProvisioner.IsManaged(app),
            Scope = SendScopeKind.Tenant, Steps = steps, App = app, ServicePrincipalId = sp?.Id ?? "", GraphServicePrincipalId = graphSpId, Role = role,
            Assignments = assignments, TenantGrant = tenantGrant, TaggedOn = tagged ? taggedOn : null, Request = request,
        };
    }

    private async Task<GrantOutcome> ExecuteTenantAsync(ScopePlan plan, ISet<ScopeStepKind> approved, CancellationToken ct)
    {
        var connection = _session.RequireConnection();
        var directory = new DirectoryClient(connection);
        var exchange = new ExchangeRbacClient(connection);
        var reporter = OperationContext.CurrentReporter;
        if (!AppProvisioner.DeclaresMailSend(plan.App) && approved.Contains(ScopeStepKind.RestoreDeclaredMailSend))
            await directory.UpdateAppAsync(plan.App.Id!, new Application { RequiredResourceAccess = AppProvisioner.WithMailSend(plan.App.RequiredResourceAccess) }, ct).ConfigureAwait(false);
        if (plan.TenantGrant is null && !approved.Contains(ScopeStepKind.RestoreTenantGrant))
        {
            // Deleting the Exchange assignment without the tenant-wide grant would leave the app unable to send at all.
            reporter.Warning($"The tenant-wide Mail.Send grant was not made, so the Exchange assignment of app {plan.ClientId} was kept.");
            return Outcome(plan, connection, plan.Assignments.FirstOrDefault(), plan.TaggedOn, alreadyScoped: false, Array.Empty<string>(), new ReplicationWaiter(null, _session.TimeProvider), tenantGrantKept: false);
        }
        // The existing consent path: finds or creates the app role assignment and, with the secret, proves it.
        var grant = await new ConsentService(_session).GrantCoreAsync(new GrantRequest
        {
            ClientId = plan.ClientId, ClientSecret = plan.Request.ClientSecret, SecretCreatedOn = plan.Request.SecretCreatedOn,
            ReplicationBudget = plan.Request.ReplicationBudget, Force = plan.Request.Force,
        }, ct).ConfigureAwait(false);
        var removed = new List<string>();
        if (plan.Assignments.Count > 0 && approved.Contains(ScopeStepKind.DeleteAssignments))
        {
            foreach (var a in plan.Assignments)
            {
                await exchange.DeleteAssignmentAsync(a.Id, ct).ConfigureAwait(false);
                removed.Add($"the Exchange '{plan.Role!.DisplayName}' assignment {a.Id} scoped to {a.DirectoryScopeId ?? "app scope " + a.AppScopeId}");
            }
        }
        var remaining = approved.Contains(ScopeStepKind.DeleteAssignments) ? 0 : plan.Assignments.Count;
        if (remaining == 0 && plan.App.Tags?.Any(SendScopeTag.IsScopeTag) == true && approved.Contains(ScopeStepKind.RemoveScopeTag))
            await directory.UpdateAppAsync(plan.App.Id!, new Application { Tags = plan.App.Tags.Where(t => !SendScopeTag.IsScopeTag(t)).ToList() }, ct).ConfigureAwait(false);
        if (removed.Count > 0)
            reporter.Warning($"Removed {JoinWords(removed)} of app {plan.ClientId} and restored the tenant-wide Mail.Send grant: the app can send as any mailbox again. " +
                "Exchange needs 30 minutes to 2 hours to drop the removed assignment (its cache); the tenant-wide grant applies meanwhile.");
        return new GrantOutcome
        {
            TenantId = grant.TenantId, ClientId = grant.ClientId, ServicePrincipalId = grant.ServicePrincipalId, ResourceId = grant.ResourceId,
            AppRoleId = grant.AppRoleId, AssignmentId = grant.AssignmentId,
            AlreadyGranted = grant.AlreadyGranted && removed.Count == 0 && plan.Steps.Count == 0,
            Verified = grant.Verified, ReplicationWait = grant.ReplicationWait, SendScope = "Tenant", Removed = removed,
        };
    }

    // ---- reading the state ----

    /// <summary>Microsoft Graph's service principal id and this app's tenant-wide Mail.Send assignment to it (or null).</summary>
    private static async Task<(string GraphSpId, AppRoleAssignment? Grant)> TenantGrantAsync(DirectoryClient directory, string spId, CancellationToken ct)
    {
        var graphSp = await directory.GetServicePrincipalAsync(EntraIds.GraphAppId, ct).ConfigureAwait(false)
            ?? throw new MailOAuthException(DiagnosisCatalog.GraphServicePrincipalMissing());
        var assignments = await directory.GetAppRoleAssignmentsAsync(spId, ct).ConfigureAwait(false);
        return (graphSp.Id!, assignments.FirstOrDefault(a => MailSendGrant.IsTenantWide(a, graphSp.Id)));
    }

    /// <summary>The sender's user object (its id is the scope). Reuses the sender lookup: an SMTP address that is not the UPN is named.</summary>
    private static async Task<User> ResolveSenderAsync(DirectoryClient directory, string sender, CancellationToken ct)
    {
        var user = await directory.GetUserAsync(sender, ct).ConfigureAwait(false);
        if (user?.Id is not null) return user;
        if (await SenderCheck.FindUpnAsync(directory, sender, ct).ConfigureAwait(false) is { } upn)
            throw new MailOAuthException(DiagnosisCatalog.SenderIsMailNotUpn(sender, upn));
        throw new MailOAuthException(DiagnosisCatalog.SenderUserNotFound(sender, directory.TenantId));
    }

    private static GrantOutcome Outcome(ScopePlan plan, AdminConnection connection, ExchangeRoleAssignment? assignment, DateTimeOffset? assignedOn,
        bool alreadyScoped, IReadOnlyList<string> removed, ReplicationWaiter waiter, bool tenantGrantKept) => new()
    {
        TenantId = connection.TenantId,
        ClientId = plan.ClientId,
        ServicePrincipalId = plan.ServicePrincipalId,
        ResourceId = plan.GraphServicePrincipalId,
        AppRoleId = plan.Role?.Id ?? "",
        AssignmentId = assignment?.Id,
        AlreadyGranted = alreadyScoped,
        Verified = false, // a scoped app's token carries no Mail.Send role: Send-MailOAuthTest proves it once Exchange applied the scope
        ReplicationWait = waiter.Waited,
        // Staged: the tenant-wide grant still lets the app send as any mailbox, so "Tenant" is what Send-MailOAuthTest must expect.
        SendScope = assignment is null ? "None" : tenantGrantKept ? "Tenant" : "Mailbox: " + plan.SenderAddress,
        ScopeAssignedOn = assignment is null ? null : assignedOn,
        ScopeStage = assignment is null ? ScopeStage.None : tenantGrantKept ? ScopeStage.Staged : ScopeStage.Enforced,
        Removed = removed,
    };

    private static DateTimeOffset WholeSeconds(DateTimeOffset t) =>
        new(t.UtcDateTime.Ticks - t.UtcDateTime.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);

    private static string Plural<T>(ICollection<T> items) => items.Count == 1 ? "" : "s";

    private static string DescribeScopes(IEnumerable<ExchangeRoleAssignment> assignments) =>
        string.Join(", ", assignments.Select(a => a.DirectoryScopeId ?? "app scope " + a.AppScopeId));

    private static string JoinWords(IReadOnlyList<string> parts) =>
        parts.Count == 1 ? parts[0] : string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[parts.Count - 1];
}
