using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using Microsoft.Graph.Models;

namespace MailOAuth.Core.Entra;

/// <summary>How far an app's Mail.Send reaches, as read (Get-MailOAuthApp's SendScope, the Scope check).</summary>
internal sealed class SendScopeState
{
    /// <summary>"Tenant", "Mailbox: upn" (one mailbox), "Mailbox" (several scopes, a group or unit, or known from the tag only), or "None".</summary>
    public string SendScope { get; init; } = "None";
    public DateTimeOffset? AssignedOn { get; init; }
    /// <summary>The Graph tenant-wide grant exists.</summary>
    public bool TenantGrant { get; init; }
    /// <summary>The Exchange assignments could be read (else <see cref="Assignments"/> is empty and <see cref="UnreadableReason"/> says why).</summary>
    public bool ExchangeRead { get; init; }
    public string? UnreadableReason { get; init; }
    public IReadOnlyList<ExchangeRoleAssignment> Assignments { get; init; } = Array.Empty<ExchangeRoleAssignment>();
    /// <summary>UPNs of the users the assignments are scoped to, by user id.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();
    public bool Tagged { get; init; }
    /// <summary><see cref="Entra.ScopeStage"/>: Staged when the tenant-wide grant and MailOAuth's mailbox assignment both exist.</summary>
    public string ScopeStage { get; init; } = Entra.ScopeStage.None;
    /// <summary>Staged: the mailbox the assignment is for (its UPN), null when Exchange could not be read or it is not one mailbox.</summary>
    public string? StagedMailbox { get; init; }
}

/// <summary>
/// Reads an app's send scope: the tenant-wide Graph grant, else the Exchange "Application Mail.Send" assignments
/// when the connection may read them (RoleManagement.Read.Exchange, .Read.All or .ReadWrite.Exchange), else
/// MailOAuth's tag (docs/service-behaviour.md#exchange-rbac). Reading Exchange is a courtesy: a refusal or an
/// endpoint this cloud lacks falls back to the tag, said in Verbose.
/// </summary>
internal sealed class SendScopeReader
{
    private readonly AdminConnection _connection;
    private readonly DirectoryClient _directory;
    private ExchangeRoleDefinition? _role;
    private bool _roleRead;
    private string? _unreadable;

    public SendScopeReader(AdminConnection connection, DirectoryClient directory)
    {
        _connection = connection;
        _directory = directory;
    }

    public async Task<SendScopeState> ReadAsync(Application app, ServicePrincipal? sp, AppRoleAssignment? tenantGrant, CancellationToken ct)
    {
        var tagged = SendScopeTag.TryParse(app.Tags, out var taggedOn);
        if (tenantGrant is not null)
            return tagged && sp?.Id is not null
                ? await StagedAsync(app, sp.Id, tenantGrant, taggedOn, ct).ConfigureAwait(false)
                : new SendScopeState { SendScope = "Tenant", AssignedOn = tenantGrant.CreatedDateTime, TenantGrant = true, Tagged = tagged };
        if (sp?.Id is null) return new SendScopeState { Tagged = tagged };

        var assignments = await AssignmentsAsync(sp.Id, ct).ConfigureAwait(false);
        if (assignments is null)
        {
            OperationContext.CurrentReporter.Verbose($"App {app.AppId}: the Exchange role assignments were not read ({_unreadable}); its send scope comes from MailOAuth's tag" +
                (tagged ? $" (scoped to a mailbox on {taggedOn:u}; which mailbox is not known without reading Exchange)." : ", which it does not carry."));
            return new SendScopeState { SendScope = tagged ? "Mailbox" : "None", AssignedOn = tagged ? taggedOn : null, Tagged = tagged, UnreadableReason = _unreadable };
        }
        var users = await UsersAsync(assignments, ct).ConfigureAwait(false);
        string scope;
        if (assignments.Count == 0) scope = "None";
        else if (assignments.Any(a => a.DirectoryScopeId == "/")) scope = "Tenant";
        else
        {
            var parts = assignments.Select(a => ExchangeRbacClient.UserOf(a.DirectoryScopeId) is { } u ? users[u] : a.DirectoryScopeId ?? "app scope " + a.AppScopeId).Distinct().ToList();
            // One mailbox by its UPN is "Mailbox: upn", the form Send-MailOAuthTest binds; several scopes, a group, an
            // administrative unit or an unresolved user are "Mailbox" (scoped, which one is not one address), named in Verbose.
            if (parts.Count == 1 && parts[0].IndexOf('@') > 0) scope = "Mailbox: " + parts[0];
            else
            {
                scope = "Mailbox";
                OperationContext.CurrentReporter.Verbose($"App {app.AppId}: Mail.Send is scoped by Exchange RBAC to {string.Join(", ", parts)}.");
            }
        }
        return new SendScopeState
        {
            SendScope = scope, AssignedOn = assignments.Count > 0 && tagged ? taggedOn : null, ExchangeRead = true, Assignments = assignments, Users = users, Tagged = tagged,
            ScopeStage = scope.StartsWith("Mailbox", StringComparison.Ordinal) ? Entra.ScopeStage.Enforced : Entra.ScopeStage.None,
        };
    }

    /// <summary>
    /// A tenant-wide app that MailOAuth tagged: staged (-KeepTenantGrant, docs/design.md#staged-scoping) when its mailbox assignment is
    /// there, or when Exchange cannot be read (the tag tells). SendScope stays "Tenant": the grant still lets it send as any mailbox.
    /// </summary>
    private async Task<SendScopeState> StagedAsync(Application app, string spId, AppRoleAssignment tenantGrant, DateTimeOffset taggedOn, CancellationToken ct)
    {
        var assignments = await AssignmentsAsync(spId, ct).ConfigureAwait(false);
        if (assignments is { Count: 0 })
        {
            OperationContext.CurrentReporter.Verbose($"App {app.AppId}: MailOAuth's tag says it was scoped to a mailbox on {taggedOn:u}, but it has no Exchange assignment; it holds Mail.Send tenant-wide.");
            return new SendScopeState { SendScope = "Tenant", AssignedOn = tenantGrant.CreatedDateTime, TenantGrant = true, Tagged = true, ExchangeRead = true };
        }
        if (assignments is null)
            OperationContext.CurrentReporter.Verbose($"App {app.AppId}: the Exchange role assignments were not read ({_unreadable}); MailOAuth's tag says a mailbox scope was staged on {taggedOn:u}.");
        var users = assignments is null ? new Dictionary<string, string>() : await UsersAsync(assignments, ct).ConfigureAwait(false);
        var mailboxes = (assignments ?? new List<ExchangeRoleAssignment>()).Select(a => ExchangeRbacClient.UserOf(a.DirectoryScopeId) is { } u ? users[u] : null).Distinct().ToList();
        return new SendScopeState
        {
            SendScope = "Tenant", AssignedOn = taggedOn, TenantGrant = true, Tagged = true, ExchangeRead = assignments is not null,
            Assignments = (IReadOnlyList<ExchangeRoleAssignment>?)assignments ?? Array.Empty<ExchangeRoleAssignment>(), Users = users, UnreadableReason = assignments is null ? _unreadable : null,
            ScopeStage = Entra.ScopeStage.Staged,
            StagedMailbox = mailboxes.Count == 1 && mailboxes[0] is { } m && m.IndexOf('@') > 0 ? m : null,
        };
    }

    /// <summary>UPNs of the users the assignments are scoped to, by user id (the object id when the user cannot be read).</summary>
    private async Task<Dictionary<string, string>> UsersAsync(IEnumerable<ExchangeRoleAssignment> assignments, CancellationToken ct)
    {
        var users = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var id in assignments.Select(a => ExchangeRbacClient.UserOf(a.DirectoryScopeId)).Where(id => id is not null).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            User? user = null;
            try
            {
                user = await _directory.GetUserByIdAsync(id!, ct).ConfigureAwait(false);
            }
            catch (MailOAuthException ex) when (ex.Code == DiagnosisCode.InsufficientPrivileges)
            {
                // Without User.Read.All the scope is named by the user's object id.
            }
            users[id!] = user?.UserPrincipalName ?? id!;
        }
        return users;
    }

    /// <summary>The app's assignments of "Application Mail.Send", or null when they cannot be read here.</summary>
    private async Task<List<ExchangeRoleAssignment>?> AssignmentsAsync(string spId, CancellationToken ct)
    {
        if (!ExchangeRbacClient.CanRead(_connection))
        {
            _unreadable = "the connection holds none of " + string.Join(", ", ExchangeRbacClient.ReadPermissions);
            return null;
        }
        if (_unreadable is not null) return null;
        var exchange = new ExchangeRbacClient(_connection);
        try
        {
            if (!_roleRead)
            {
                _role = await exchange.FindRoleDefinitionAsync(ExchangeRbacClient.MailSendRoleName, ct).ConfigureAwait(false);
                _roleRead = true;
            }
            if (_role is null) return new List<ExchangeRoleAssignment>();
            return await exchange.ListAssignmentsAsync(ExchangeRbacClient.PrincipalOf(spId), _role.Id, ct).ConfigureAwait(false);
        }
        catch (MailOAuthException ex)
        {
            _unreadable = ex.Diagnosis.Code + (ex.Diagnosis.HttpStatus != 0 ? ", HTTP " + ex.Diagnosis.HttpStatus : "");
            return null;
        }
    }
}
