using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>
/// <c>…/applications/{id}/federatedIdentityCredentials</c>: list and create (Graph v1.0
/// federatedIdentityCredential; they have no expiry). Routed by <see cref="ApplicationsEndpoints"/>.
/// </summary>
internal static class FederatedCredentialsEndpoints
{
    internal const string Segment = "federatedIdentityCredentials";

    internal static Task RouteAsync(DirectoryRequest request, DirectoryApplication? application, string keyValue) => request.Method switch
    {
        "GET" => ListAsync(request, application, keyValue),
        "POST" => CreateAsync(request, application, keyValue),
        _ => request.MethodNotAllowedAsync(),
    };

    private static async Task ListAsync(DirectoryRequest request, DirectoryApplication? application, string keyValue)
    {
        if (application is null || !request.IsReplicated(application.CreatedDateTime))
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(keyValue));
            return;
        }

        if (!await request.PermitAsync(DirectoryPermissions.CanReadApplication(request.Caller, application)))
        {
            return;
        }

        await request.JsonAsync(new JsonObject
        {
            ["@odata.context"] = $"{request.Metadata}applications('{application.ObjectId}')/{Segment}",
            ["value"] = new JsonArray([.. application.FederatedIdentityCredentials.Select(f => (JsonNode)ToJson(f))]),
        });
    }

    /// <summary>POST → 201 with the credential; name, issuer, subject and audiences are required.</summary>
    private static async Task CreateAsync(DirectoryRequest request, DirectoryApplication? application, string keyValue)
    {
        if (!await request.PermitAsync(DirectoryPermissions.CanCreateApplications(request.Caller)))
        {
            return;
        }

        if (application is null || !request.IsReplicatedForWrites(application.CreatedDateTime))
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(keyValue));
            return;
        }

        if (await request.BodyAsync() is not { } body)
        {
            return;
        }

        var name = BodyProperties.String(body, "name");
        var issuer = BodyProperties.String(body, "issuer");
        var subject = BodyProperties.String(body, "subject");
        var audiences = BodyProperties.Find(body, "audiences") is { ValueKind: JsonValueKind.Array } a
            ? a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToImmutableArray()
            : ImmutableArray<string>.Empty;
        foreach (var (field, value) in new[] { ("name", name), ("issuer", issuer), ("subject", subject) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                await request.ErrorAsync(GraphError.InvalidPropertyValue(field, "FederatedIdentityCredential"));
                return;
            }
        }

        if (audiences.IsEmpty)
        {
            await request.ErrorAsync(GraphError.InvalidPropertyValue("audiences", "FederatedIdentityCredential"));
            return;
        }

        var credential = new FederatedIdentityCredential(Guid.NewGuid(), name!, issuer!, subject!, audiences);
        request.Directory.UpdateApplication(application.ObjectId, app => app with
        {
            FederatedIdentityCredentials = app.FederatedIdentityCredentials.Add(credential),
        });
        var json = ToJson(credential);
        json["@odata.context"] = $"{request.Metadata}applications('{application.ObjectId}')/{Segment}/$entity";
        await request.JsonAsync(json, 201);
    }

    private static JsonObject ToJson(FederatedIdentityCredential f) => new()
    {
        ["id"] = f.Id.ToString(),
        ["name"] = f.Name,
        ["issuer"] = f.Issuer,
        ["subject"] = f.Subject,
        ["description"] = null,
        ["audiences"] = new JsonArray([.. f.Audiences.Select(x => (JsonNode)JsonValue.Create(x)!)]),
    };
}
