using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>
/// The application as Graph v1.0 writes it (docs/service-behaviour.md#microsoft-graph; the shape follows the "Upsert application"
/// doc example), its credentials, and the rules for POST/PATCH bodies. The longest of the entity
/// files: the property list and the PATCH rules of one entity read best side by side.
/// </summary>
public static class ApplicationJson
{
    /// <summary>Properties the sandbox keeps verbatim (JSON text), with the value Graph shows when unset.</summary>
    private static readonly Dictionary<string, string> Defaults = new(StringComparer.Ordinal)
    {
        ["groupMembershipClaims"] = "null",
        ["identifierUris"] = "[]",
        ["isDeviceOnlyAuthSupported"] = "null",
        ["nativeAuthenticationApisEnabled"] = "null",
        ["serviceManagementReference"] = "null",
        ["tokenEncryptionKeyId"] = "null",
        ["samlMetadataUrl"] = "null",
        ["defaultRedirectUri"] = "null",
        ["optionalClaims"] = "null",
        ["servicePrincipalLockConfiguration"] = "null",
        ["requestSignatureVerification"] = "null",
        ["addIns"] = "[]",
        ["api"] = """{"acceptMappedClaims":null,"knownClientApplications":[],"requestedAccessTokenVersion":null,"oauth2PermissionScopes":[],"preAuthorizedApplications":[]}""",
        ["appRoles"] = "[]",
        ["info"] = """{"logoUrl":null,"marketingUrl":null,"privacyStatementUrl":null,"supportUrl":null,"termsOfServiceUrl":null}""",
        ["parentalControlSettings"] = """{"countriesBlockedForMinors":[],"legalAgeGroupRule":"Allow"}""",
        ["publicClient"] = """{"redirectUris":[]}""",
        ["requiredResourceAccess"] = "[]",
        ["web"] = """{"homePageUrl":null,"logoutUrl":null,"redirectUris":[],"implicitGrantSettings":{"enableAccessTokenIssuance":false,"enableIdTokenIssuance":false},"redirectUriSettings":[]}""",
        ["spa"] = """{"redirectUris":[]}""",
        ["windows"] = "null",
    };

    private static readonly HashSet<string> ReadOnly = new(StringComparer.Ordinal)
    {
        "id", "deletedDateTime", "appId", "applicationTemplateId", "disabledByMicrosoftStatus", "createdDateTime",
        "publisherDomain", "certification", "verifiedPublisher",
    };

    private static readonly string[] SignInAudiences = ["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"];

    public static readonly EntitySchema Schema = new(
        "applications",
        "microsoft.graph.application",
        [
            "id", "deletedDateTime", "appId", "applicationTemplateId", "disabledByMicrosoftStatus", "createdDateTime", "displayName",
            "description", "groupMembershipClaims", "identifierUris", "isDeviceOnlyAuthSupported", "isFallbackPublicClient",
            "nativeAuthenticationApisEnabled", "notes", "publisherDomain", "serviceManagementReference", "signInAudience", "tags",
            "tokenEncryptionKeyId", "uniqueName", "samlMetadataUrl", "defaultRedirectUri", "certification", "optionalClaims",
            "servicePrincipalLockConfiguration", "requestSignatureVerification", "addIns", "api", "appRoles", "info", "keyCredentials",
            "parentalControlSettings", "passwordCredentials", "publicClient", "requiredResourceAccess", "verifiedPublisher", "web", "spa",
            "windows",
        ],
        DefaultProperties: null,
        Filterable: new HashSet<string>(["id", "appId", "displayName", "uniqueName", "tags", "identifierUris", "signInAudience", "publisherDomain"]));

    public static JsonObject ToJson(DirectoryApplication app, SandboxRuntime runtime)
    {
        var json = new JsonObject();
        foreach (var name in Schema.Properties)
        {
            json[name] = name switch
            {
                "id" => app.ObjectId.ToString(),
                "deletedDateTime" => app.DeletedDateTime is { } deleted ? GraphJson.Iso(deleted) : null,
                "applicationTemplateId" or "disabledByMicrosoftStatus" or "certification" => null,
                "appId" => app.AppId.ToString(),
                "createdDateTime" => GraphJson.Iso(app.CreatedDateTime),
                "displayName" => app.DisplayName,
                "description" => app.Description,
                "isFallbackPublicClient" => app.IsFallbackPublicClient,
                "notes" => app.Notes,
                "publisherDomain" => runtime.Directory.Tenant.InitialDomain.Name,
                "signInAudience" => app.SignInAudience,
                "tags" => GraphJson.Strings(app.Tags),
                "uniqueName" => app.UniqueName,
                "keyCredentials" => new JsonArray([.. app.KeyCredentials.Select(k => (JsonNode)KeyCredentialJson(k))]),
                "passwordCredentials" => new JsonArray([.. app.PasswordCredentials.Select(p => (JsonNode)PasswordCredentialJson(p, secretText: null))]),
                "verifiedPublisher" => new JsonObject { ["displayName"] = null, ["verifiedPublisherId"] = null, ["addedDateTime"] = null },
                _ => JsonNode.Parse(app.Properties.GetValueOrDefault(name) ?? Defaults[name]),
            };
        }

        return json;
    }

    /// <summary>
    /// Applies a POST/PATCH body to an application. Unknown properties and read-only ones are
    /// 400s; <c>@odata.*</c> annotations are ignored; passwordCredentials go through addPassword.
    /// </summary>
    public static (DirectoryApplication? Application, GraphError? Error) Apply(DirectoryApplication app, JsonElement body, bool creating)
    {
        const string Resource = "Application";
        foreach (var property in body.EnumerateObject())
        {
            if (property.Name.Contains("@odata.", StringComparison.Ordinal))
            {
                continue;
            }

            var name = Schema.Properties.FirstOrDefault(p => string.Equals(p, property.Name, StringComparison.OrdinalIgnoreCase));
            var value = property.Value;
            if (name is null)
            {
                return (null, GraphError.UnknownProperty(property.Name, Schema.TypeName));
            }

            if (ReadOnly.Contains(name))
            {
                return (null, GraphError.ReadOnlyProperty(name));
            }

            switch (name)
            {
                case "displayName":
                    if (value.ValueKind != JsonValueKind.String || value.GetString()!.Trim().Length == 0)
                    {
                        return (null, GraphError.InvalidPropertyValue(name, Resource));
                    }

                    app = app with { DisplayName = value.GetString()! };
                    break;
                case "description" or "notes":
                    if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    {
                        return (null, GraphError.InvalidPropertyValue(name, Resource));
                    }

                    app = name == "notes" ? app with { Notes = value.GetString() } : app with { Description = value.GetString() };
                    break;
                case "tags":
                    if (GraphJson.StringArray(value) is not { } tags)
                    {
                        return (null, GraphError.InvalidPropertyValue(name, Resource));
                    }

                    app = app with { Tags = tags };
                    break;
                case "signInAudience":
                    if (value.ValueKind != JsonValueKind.String || !SignInAudiences.Contains(value.GetString()))
                    {
                        return (null, GraphError.InvalidPropertyValue(name, Resource));
                    }

                    app = app with { SignInAudience = value.GetString()! };
                    break;
                case "isFallbackPublicClient":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
                    {
                        return (null, GraphError.InvalidPropertyValue(name, Resource));
                    }

                    app = app with { IsFallbackPublicClient = value.ValueKind == JsonValueKind.Null ? null : value.GetBoolean() };
                    break;
                case "uniqueName":
                    // An alternate key: set at creation, immutable afterwards (INFERRED text).
                    var uniqueName = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                    if (creating && app.UniqueName is null)
                    {
                        if (string.IsNullOrWhiteSpace(uniqueName))
                        {
                            return (null, GraphError.InvalidPropertyValue(name, Resource));
                        }

                        app = app with { UniqueName = uniqueName };
                    }
                    else if (!string.Equals(uniqueName, app.UniqueName, StringComparison.OrdinalIgnoreCase))
                    {
                        return (null, GraphError.BadRequest("Property 'uniqueName' is immutable and cannot be changed once set."));
                    }

                    break;
                case "passwordCredentials":
                    if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0)
                    {
                        break;
                    }

                    // docs/service-behaviour.md#create-application / "Upsert application": not supported; use addPassword (INFERRED text).
                    return (null, GraphError.BadRequest("Setting passwordCredentials this way is not supported. Use the addPassword and removePassword methods."));
                case "keyCredentials":
                    var (keys, keyError) = ParseKeyCredentials(value, app.KeyCredentials);
                    if (keyError is not null)
                    {
                        return (null, keyError);
                    }

                    app = app with { KeyCredentials = keys! };
                    break;
                default:
                    app = app with { Properties = app.Properties.SetItem(name, value.GetRawText()) };
                    break;
            }
        }

        return (app, null);
    }

    /// <summary>addPassword's answer and the entries of passwordCredentials (alphabetical, as Graph writes them).</summary>
    public static JsonObject PasswordCredentialJson(PasswordCredential credential, string? secretText) => new()
    {
        ["customKeyIdentifier"] = null,
        ["displayName"] = credential.DisplayName,
        ["endDateTime"] = GraphJson.Iso7(credential.EndDateTime),
        ["hint"] = credential.Hint,
        ["keyId"] = credential.KeyId.ToString(),
        ["secretText"] = secretText,
        ["startDateTime"] = GraphJson.Iso7(credential.StartDateTime),
    };

    /// <summary>keyCredentials entries; <c>key</c> is never returned (null), as Graph does by default.</summary>
    public static JsonObject KeyCredentialJson(KeyCredential credential) => new()
    {
        ["customKeyIdentifier"] = Convert.ToBase64String(credential.Sha1Thumbprint.AsSpan()),
        ["displayName"] = credential.DisplayName,
        ["endDateTime"] = GraphJson.Iso(credential.EndDateTime),
        ["key"] = null,
        ["keyId"] = credential.KeyId.ToString(),
        ["startDateTime"] = GraphJson.Iso(credential.StartDateTime),
        ["type"] = credential.Type,
        ["usage"] = credential.Usage,
    };

    /// <summary>
    /// PATCH keyCredentials replaces the collection. A new entry needs <c>key</c> (base64 DER
    /// certificate); an entry naming an existing keyId without a key keeps that key (INFERRED leniency).
    /// </summary>
    private static (ImmutableList<KeyCredential>? Keys, GraphError? Error) ParseKeyCredentials(JsonElement value, ImmutableList<KeyCredential> existing)
    {
        var invalid = GraphError.InvalidPropertyValue("keyCredentials", "Application");
        if (value.ValueKind != JsonValueKind.Array)
        {
            return (null, invalid);
        }

        var keys = ImmutableList.CreateBuilder<KeyCredential>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                return (null, invalid);
            }

            var keyId = BodyProperties.String(item, "keyId") is { } k && Guid.TryParse(k, out var parsed) ? parsed : Guid.NewGuid();
            var type = BodyProperties.String(item, "type") ?? "AsymmetricX509Cert";
            var usage = BodyProperties.String(item, "usage") ?? "Verify";
            if (type != "AsymmetricX509Cert" || usage is not ("Verify" or "Sign"))
            {
                return (null, invalid);
            }

            if (BodyProperties.String(item, "key") is not { } key)
            {
                if (existing.FirstOrDefault(e => e.KeyId == keyId) is { } kept)
                {
                    keys.Add(kept);
                    continue;
                }

                return (null, invalid);
            }

            try
            {
                using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(key));
                var credential = KeyCredential.FromCertificate(certificate, keyId, BodyProperties.String(item, "displayName")) with { Usage = usage };
                if (BodyProperties.String(item, "startDateTime") is { } start && DateTimeOffset.TryParse(start, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var startTime))
                {
                    credential = credential with { StartDateTime = startTime };
                }

                if (BodyProperties.String(item, "endDateTime") is { } end && DateTimeOffset.TryParse(end, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var endTime))
                {
                    credential = credential with { EndDateTime = endTime };
                }

                keys.Add(credential);
            }
            catch (Exception e) when (e is FormatException or CryptographicException)
            {
                return (null, invalid);
            }
        }

        return (keys.ToImmutable(), null);
    }
}
