using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>An application's password credentials: addPassword and removePassword. Routed by <see cref="ApplicationsEndpoints"/>.</summary>
internal static class ApplicationPasswordsEndpoints
{
    /// <summary>
    /// POST …/addPassword → 200 with secretText, shown once (docs/service-behaviour.md#add-password). Right after the
    /// application was created it is not found yet: 404 Request_ResourceNotFound naming the id as
    /// given (docs/service-behaviour.md#replication). An app management policy (the app's, else the tenant
    /// default) caps endDateTime or blocks new secrets (passwordAddition).
    /// </summary>
    internal static async Task AddPasswordAsync(DirectoryRequest request, DirectoryApplication? application, string keyValue)
    {
        if (await CheckCredentialWriteAsync(request, application, keyValue) is not { } target)
        {
            return;
        }

        if (await request.BodyAsync(allowEmpty: true) is not { } body)
        {
            return;
        }

        var credential = Property(body, "passwordCredential") is { ValueKind: JsonValueKind.Object } c ? c : (JsonElement?)null;
        string? displayName = null;
        DateTimeOffset? start = null;
        DateTimeOffset? end = null;
        if (credential is { } given)
        {
            if (Property(given, "displayName") is { } nameElement)
            {
                if (nameElement.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    await request.ErrorAsync(GraphError.InvalidPropertyValue("displayName", "PasswordCredential"));
                    return;
                }

                displayName = nameElement.GetString();
            }

            foreach (var (name, set) in new (string, Action<DateTimeOffset?>)[] { ("startDateTime", v => start = v), ("endDateTime", v => end = v) })
            {
                if (!TryDate(given, name, out var date))
                {
                    await request.ErrorAsync(GraphError.InvalidPropertyValue(name, "PasswordCredential"));
                    return;
                }

                set(date);
            }
        }

        var startDateTime = start ?? request.Now;
        var endDateTime = end ?? startDateTime.AddYears(2);
        if (endDateTime <= startDateTime)
        {
            await request.ErrorAsync(GraphError.InvalidPropertyValue("endDateTime", "PasswordCredential"));
            return;
        }

        // The app's own app management policy, else the tenant default (PolicyEndpoints shows both).
        var (maxDays, additionBlocked) = request.Directory.EffectiveSecretPolicy(target.ObjectId);
        if (additionBlocked)
        {
            await request.ErrorAsync(GraphError.CredentialTypeNotAllowedByPolicy());
            return;
        }

        if (maxDays is { } max && endDateTime - startDateTime > TimeSpan.FromDays(max))
        {
            await request.ErrorAsync(GraphError.CredentialLifetimeExceedsPolicy());
            return;
        }

        var added = request.Directory.AddPassword(target.ObjectId, displayName, startDateTime, endDateTime, createdDateTime: request.Now);
        if (added is null)
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(keyValue));
            return;
        }

        SandboxRequest.Get(request.Http).KeyId = added.Value.Credential.KeyId.ToString();
        var json = new JsonObject { ["@odata.context"] = request.Metadata + "microsoft.graph.passwordCredential" };
        foreach (var (name, value) in ApplicationJson.PasswordCredentialJson(added.Value.Credential, added.Value.SecretText))
        {
            json[name] = value?.DeepClone();
        }

        await request.JsonAsync(json);
    }

    /// <summary>
    /// POST …/removePassword <c>{"keyId"}</c> → 204 (docs/service-behaviour.md#remove-password, #remove-password-replication). Graph stops listing the secret at
    /// once; the token endpoint accepts it until the removal replicates (<see cref="SandboxRuntime.IsRemovalReplicated"/>).
    /// </summary>
    internal static async Task RemovePasswordAsync(DirectoryRequest request, DirectoryApplication? application, string keyValue)
    {
        if (await CheckCredentialWriteAsync(request, application, keyValue) is not { } target)
        {
            return;
        }

        if (await request.BodyAsync() is not { } body)
        {
            return;
        }

        if (Property(body, "keyId") is not { ValueKind: JsonValueKind.String } keyIdElement || !Guid.TryParse(keyIdElement.GetString(), out var keyId))
        {
            await request.ErrorAsync(GraphError.InvalidPropertyValue("keyId", "PasswordCredential"));
            return;
        }

        SandboxRequest.Get(request.Http).KeyId = keyId.ToString();
        await (request.Directory.RemovePassword(target.ObjectId, keyId, request.Now)
            ? request.NoContentAsync()
            : request.ErrorAsync(GraphError.BadRequest($"No password credential found with keyId '{keyId}'."))); // INFERRED
    }

    /// <summary>Rights first, then existence; a not yet replicated application is "not found" here (docs/service-behaviour.md#replication).</summary>
    private static async Task<DirectoryApplication?> CheckCredentialWriteAsync(DirectoryRequest request, DirectoryApplication? application, string keyValue)
    {
        if (!await request.PermitAsync(DirectoryPermissions.CanCreateApplications(request.Caller)))
        {
            return null;
        }

        if (application is null || !request.IsReplicatedForWrites(application.CreatedDateTime))
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(keyValue));
            return null;
        }

        if (!await request.PermitAsync(DirectoryPermissions.CanWrite(request.Caller, application.Owners)))
        {
            return null;
        }

        return application;
    }

    private static JsonElement? Property(JsonElement element, string name) => BodyProperties.Find(element, name);

    private static bool TryDate(JsonElement element, string name, out DateTimeOffset? value)
    {
        value = null;
        if (Property(element, name) is not { } property || property.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (property.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(property.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }
}
