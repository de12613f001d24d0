using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using Microsoft.Kiota.Abstractions;

namespace MailOAuth.Core.Entra;

/// <summary>An Exchange role definition as Graph beta lists it (the id is per tenant).</summary>
public sealed class ExchangeRoleDefinition
{
    public string Id { get; init; } = "";
    public string DisplayName { get; init; } = "";
}

/// <summary>An Exchange RBAC role assignment (Graph beta roleManagement/exchange/roleAssignments).</summary>
public sealed class ExchangeRoleAssignment
{
    public string Id { get; init; } = "";
    /// <summary>"/ServicePrincipals/{service principal object id}".</summary>
    public string PrincipalId { get; init; } = "";
    public string RoleDefinitionId { get; init; } = "";
    /// <summary>"/", "/Users/{id}", "/Groups/{id}" or "/AdministrativeUnits/{id}"; null with a custom app scope.</summary>
    public string? DirectoryScopeId { get; init; }
    public string? AppScopeId { get; init; }
}

/// <summary>
/// The Exchange side of RBAC for Applications through Microsoft Graph beta (docs/service-behaviour.md#exchange-rbac):
/// role definitions by display name, the assignments of one service principal, create and delete. The calls go
/// through the admin connection's Graph request adapter, so they share its token, retries and redacted request
/// log; only the URL (beta) and the reading of the answer are MailOAuth's own. Graph's error body and the Exchange
/// backend's OData one are both read (<see cref="ServiceError.FromGraph"/>).
/// </summary>
internal sealed class ExchangeRbacClient
{
    /// <summary>The permission that creates and deletes Exchange role assignments (application or delegated).</summary>
    public const string ReadWritePermission = "RoleManagement.ReadWrite.Exchange";

    /// <summary>Any of these reads role definitions and assignments.</summary>
    public static readonly string[] ReadPermissions = { "RoleManagement.Read.Exchange", "RoleManagement.Read.All", ReadWritePermission };

    /// <summary>The Exchange role that grants Mail.Send within a scope (looked up by this name: its id differs per tenant).</summary>
    public const string MailSendRoleName = "Application Mail.Send";

    private readonly AdminConnection _connection;

    public ExchangeRbacClient(AdminConnection connection) => _connection = connection;

    public static bool CanRead(AdminConnection connection) => ReadPermissions.Any(connection.Grants);

    public static bool CanWrite(AdminConnection connection) => connection.Grants(ReadWritePermission);

    /// <summary>The principal path of a service principal, as Exchange assignments name it.</summary>
    public static string PrincipalOf(string servicePrincipalId) => "/ServicePrincipals/" + servicePrincipalId;

    /// <summary>The directory scope of one user.</summary>
    public static string UserScope(string userId) => "/Users/" + userId;

    /// <summary>The user id of a "/Users/{id}" scope (any casing), else null.</summary>
    public static string? UserOf(string? directoryScopeId) =>
        directoryScopeId is not null && directoryScopeId.StartsWith("/Users/", StringComparison.OrdinalIgnoreCase) ? directoryScopeId.Substring(7) : null;

    public async Task<ExchangeRoleDefinition?> FindRoleDefinitionAsync(string displayName, CancellationToken ct)
    {
        var filter = Uri.EscapeDataString($"displayName eq '{DirectoryClient.Escape(displayName)}'");
        var items = await ListAsync($"roleManagement/exchange/roleDefinitions?$filter={filter}", "read the Exchange role definitions",
            string.Join(" or ", ReadPermissions), ct).ConfigureAwait(false);
        return items.Where(i => string.Equals(Str(i, "displayName"), displayName, StringComparison.OrdinalIgnoreCase))
            .Select(i => new ExchangeRoleDefinition { Id = Str(i, "id") ?? "", DisplayName = Str(i, "displayName") ?? "" })
            .FirstOrDefault(d => d.Id.Length > 0);
    }

    /// <summary>The assignments of <paramref name="principalId"/> for one role (filtered on the server by both).</summary>
    public async Task<List<ExchangeRoleAssignment>> ListAssignmentsAsync(string principalId, string roleDefinitionId, CancellationToken ct)
    {
        var filter = Uri.EscapeDataString($"principalId eq '{DirectoryClient.Escape(principalId)}' and roleDefinitionId eq '{DirectoryClient.Escape(roleDefinitionId)}'");
        var items = await ListAsync($"roleManagement/exchange/roleAssignments?$filter={filter}", "read the app's Exchange role assignments",
            string.Join(" or ", ReadPermissions), ct).ConfigureAwait(false);
        // The filter is the server's; checking again costs nothing and keeps a lax server from widening a delete.
        return items.Select(ToAssignment)
            .Where(a => string.Equals(a.PrincipalId, principalId, StringComparison.OrdinalIgnoreCase) && string.Equals(a.RoleDefinitionId, roleDefinitionId, StringComparison.OrdinalIgnoreCase))
            .ToList();
    }

    /// <summary>Every assignment of one role, whoever holds it (filtered on the server by the role).</summary>
    public async Task<List<ExchangeRoleAssignment>> ListAssignmentsOfRoleAsync(string roleDefinitionId, CancellationToken ct)
    {
        var filter = Uri.EscapeDataString($"roleDefinitionId eq '{DirectoryClient.Escape(roleDefinitionId)}'");
        var items = await ListAsync($"roleManagement/exchange/roleAssignments?$filter={filter}", "read the Exchange role assignments",
            string.Join(" or ", ReadPermissions), ct).ConfigureAwait(false);
        return items.Select(ToAssignment).Where(a => string.Equals(a.RoleDefinitionId, roleDefinitionId, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    /// <summary>The service principal object id of a "/ServicePrincipals/{id}" principal (any casing), else null.</summary>
    public static string? ServicePrincipalOf(string? principalId) =>
        principalId is not null && principalId.StartsWith("/ServicePrincipals/", StringComparison.OrdinalIgnoreCase) ? principalId.Substring(19) : null;

    /// <summary>
    /// Creates an assignment scoped to <paramref name="directoryScopeId"/>. Not repeated after an ambiguous failure
    /// (a second assignment would be made): the caller reads the assignments back instead.
    /// </summary>
    public async Task<ExchangeRoleAssignment> CreateAssignmentAsync(string principalId, string roleDefinitionId, string directoryScopeId, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["principalId"] = principalId, ["roleDefinitionId"] = roleDefinitionId, ["directoryScopeId"] = directoryScopeId, ["appScopeId"] = null,
        });
        const string operation = "create the Exchange role assignment";
        var (answer, status) = await SendWithStatusAsync(Method.POST, "roleManagement/exchange/roleAssignments", body, operation, ReadWritePermission, ct).ConfigureAwait(false);
        // A success without the created assignment is the service's answer, not a MailOAuth defect (never InternalError).
        var created = answer is { } root ? ToAssignment(root) : null;
        return created is not null && created.Id.Length > 0 ? created : throw new MailOAuthException(DiagnosisCatalog.ExchangeRbacAssignmentNotReturned(operation, status, emptyBody: answer is null));
    }

    /// <summary>Deletes an assignment; one already gone (404) counts as deleted.</summary>
    public async Task<bool> DeleteAssignmentAsync(string assignmentId, CancellationToken ct)
    {
        try
        {
            await SendAsync(Method.DELETE, "roleManagement/exchange/roleAssignments/" + Uri.EscapeDataString(assignmentId), null,
                "delete the Exchange role assignment", ReadWritePermission, ct).ConfigureAwait(false);
            return true;
        }
        catch (MailOAuthException ex) when (ex.Diagnosis.HttpStatus == 404)
        {
            return false;
        }
    }

    private async Task<List<JsonElement>> ListAsync(string pathAndQuery, string operation, string permission, CancellationToken ct)
    {
        var all = new List<JsonElement>();
        string? next = Base + pathAndQuery;
        for (var page = 0; next is not null && page < 100; page++)
        {
            var root = await SendAsync(Method.GET, next, null, operation, permission, ct).ConfigureAwait(false);
            if (root is not { } r) break;
            if (r.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Array)
                all.AddRange(value.EnumerateArray().Select(v => v.Clone()));
            next = Str(r, "@odata.nextLink");
        }
        return all;
    }

    private string Base => _connection.Environment.GraphBetaBaseUrl + "/";

    /// <summary>One call through the connection's Graph request adapter; the answer read here (Graph or Exchange error shape).</summary>
    private async Task<JsonElement?> SendAsync(Method method, string url, string? jsonBody, string operation, string permission, CancellationToken ct) =>
        (await SendWithStatusAsync(method, url, jsonBody, operation, permission, ct).ConfigureAwait(false)).Answer;

    /// <summary><see cref="SendAsync"/> with the success status (for a diagnosis of an answer that lacks what it should hold).</summary>
    private async Task<(JsonElement? Answer, int Status)> SendWithStatusAsync(Method method, string url, string? jsonBody, string operation, string permission, CancellationToken ct)
    {
        var request = new RequestInformation { HttpMethod = method, URI = new Uri(url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? url : Base + url) };
        request.Headers.Add("Accept", "application/json");
        if (jsonBody is not null)
        {
            request.SetStreamContent(new MemoryStream(Encoding.UTF8.GetBytes(jsonBody)), "application/json");
            request.AddRequestOptions(new IRequestOption[] { new Resilience.NoAmbiguousRetryOption() });
        }
        var native = new NativeResponseHandler();
        request.SetResponseHandler(native);
        await _connection.Graph.RequestAdapter.SendNoContentAsync(request, cancellationToken: ct).ConfigureAwait(false);
        using var response = native.Value as HttpResponseMessage ?? throw new InvalidOperationException("The Graph request adapter gave no response.");
        var text = response.Content is null ? "" : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var error = ServiceError.FromGraph((int)response.StatusCode, text, Header(response, "request-id"), Header(response, "client-request-id"));
            throw new MailOAuthException(Explain(error, operation, permission));
        }
        var status = (int)response.StatusCode;
        if (string.IsNullOrWhiteSpace(text)) return (null, status);
        try
        {
            using var doc = JsonDocument.Parse(text);
            return (doc.RootElement.Clone(), status);
        }
        catch (JsonException)
        {
            throw new MailOAuthException(DiagnosisCatalog.ExchangeRbacUnreadable(operation, (int)response.StatusCode));
        }
    }

    private Diagnosis Explain(ServiceError error, string operation, string permission)
    {
        var diagnosis = DiagnosisCatalog.Explain(error, new DiagnosisContext
        {
            TenantId = _connection.TenantId, EnvironmentName = _connection.Environment.Name, Operation = operation, RequiredPermission = permission,
            NotFoundCode = DiagnosisCode.UnexpectedResponse,
        }, OperationContext.Current?.Retries);
        return DiagnosisCatalog.ExchangeRbacFailure(diagnosis, operation, permission);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static ExchangeRoleAssignment ToAssignment(JsonElement e) => new()
    {
        Id = Str(e, "id") ?? "",
        PrincipalId = Str(e, "principalId") ?? "",
        RoleDefinitionId = Str(e, "roleDefinitionId") ?? "",
        DirectoryScopeId = Str(e, "directoryScopeId"),
        AppScopeId = Str(e, "appScopeId"),
    };

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
