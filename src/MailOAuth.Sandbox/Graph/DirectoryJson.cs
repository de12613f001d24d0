using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Tenancy;
using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Graph;

/// <summary>
/// Directory objects as Graph v1.0 writes them (wire §4; the application shape follows the
/// "Upsert application" doc example) and the rules for writing them (POST/PATCH bodies).
/// </summary>
public static class DirectoryJson
{
    // ---- applications ----

    /// <summary>Properties the sandbox keeps verbatim (JSON text), with the value Graph shows when unset.</summary>
    private static readonly Dictionary<string, string> ApplicationBag = new(StringComparer.Ordinal)
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

    private static readonly HashSet<string> ApplicationReadOnly = new(StringComparer.Ordinal)
    {
        "id", "deletedDateTime", "appId", "applicationTemplateId", "disabledByMicrosoftStatus", "createdDateTime",
        "publisherDomain", "certification", "verifiedPublisher",
    };

    private static readonly string[] SignInAudiences = ["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"];

    public static readonly EntitySchema ApplicationSchema = new(
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

    public static JsonObject Application(DirectoryApplication app, SandboxRuntime runtime)
    {
        var json = new JsonObject();
        foreach (var name in ApplicationSchema.Properties)
        {
            json[name] = name switch
            {
                "id" => app.ObjectId.ToString(),
                "deletedDateTime" => app.DeletedDateTime is { } deleted ? Iso(deleted) : null,
                "applicationTemplateId" or "disabledByMicrosoftStatus" or "certification" => null,
                "appId" => app.AppId.ToString(),
                "createdDateTime" => Iso(app.CreatedDateTime),
                "displayName" => app.DisplayName,
                "description" => app.Description,
                "isFallbackPublicClient" => app.IsFallbackPublicClient,
                "notes" => app.Notes,
                "publisherDomain" => runtime.Directory.Tenant.InitialDomain.Name,
                "signInAudience" => app.SignInAudience,
                "tags" => Strings(app.Tags),
                "uniqueName" => app.UniqueName,
                "keyCredentials" => new JsonArray([.. app.KeyCredentials.Select(k => (JsonNode)KeyCredentialJson(k))]),
                "passwordCredentials" => new JsonArray([.. app.PasswordCredentials.Select(p => (JsonNode)PasswordCredentialJson(p, secretText: null))]),
                "verifiedPublisher" => new JsonObject { ["displayName"] = null, ["verifiedPublisherId"] = null, ["addedDateTime"] = null },
                _ => JsonNode.Parse(app.Properties.GetValueOrDefault(name) ?? ApplicationBag[name]),
            };
        }

        return json;
    }

    /// <summary>
    /// Applies a POST/PATCH body to an application. Unknown properties and read-only ones are
    /// 400s; <c>@odata.*</c> annotations are ignored; passwordCredentials go through addPassword.
    /// </summary>
    public static (DirectoryApplication? Application, GraphError? Error) ApplyToApplication(DirectoryApplication app, JsonElement body, bool creating)
    {
        const string Resource = "Application";
        foreach (var property in body.EnumerateObject())
        {
            if (property.Name.Contains("@odata.", StringComparison.Ordinal))
            {
                continue;
            }

            var name = ApplicationSchema.Properties.FirstOrDefault(p => string.Equals(p, property.Name, StringComparison.OrdinalIgnoreCase));
            var value = property.Value;
            if (name is null)
            {
                return (null, GraphError.UnknownProperty(property.Name, ApplicationSchema.TypeName));
            }

            if (ApplicationReadOnly.Contains(name))
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
                    if (StringArray(value) is not { } tags)
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

                    // wire §4.1 / "Upsert application": not supported; use addPassword (INFERRED text).
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
        ["endDateTime"] = Iso7(credential.EndDateTime),
        ["hint"] = credential.Hint,
        ["keyId"] = credential.KeyId.ToString(),
        ["secretText"] = secretText,
        ["startDateTime"] = Iso7(credential.StartDateTime),
    };

    /// <summary>keyCredentials entries; <c>key</c> is never returned (null), as Graph does by default.</summary>
    public static JsonObject KeyCredentialJson(KeyCredential credential) => new()
    {
        ["customKeyIdentifier"] = Convert.ToBase64String(credential.Sha1Thumbprint.AsSpan()),
        ["displayName"] = credential.DisplayName,
        ["endDateTime"] = Iso(credential.EndDateTime),
        ["key"] = null,
        ["keyId"] = credential.KeyId.ToString(),
        ["startDateTime"] = Iso(credential.StartDateTime),
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

            var keyId = Get(item, "keyId") is { } k && Guid.TryParse(k, out var parsed) ? parsed : Guid.NewGuid();
            var type = Get(item, "type") ?? "AsymmetricX509Cert";
            var usage = Get(item, "usage") ?? "Verify";
            if (type != "AsymmetricX509Cert" || usage is not ("Verify" or "Sign"))
            {
                return (null, invalid);
            }

            if (Get(item, "key") is not { } key)
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
                var credential = KeyCredential.FromCertificate(certificate, keyId, Get(item, "displayName")) with { Usage = usage };
                if (Get(item, "startDateTime") is { } start && DateTimeOffset.TryParse(start, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var startTime))
                {
                    credential = credential with { StartDateTime = startTime };
                }

                if (Get(item, "endDateTime") is { } end && DateTimeOffset.TryParse(end, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var endTime))
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

    // ---- service principals ----

    private static readonly Dictionary<string, string> ServicePrincipalBag = new(StringComparer.Ordinal)
    {
        ["appDescription"] = "null",
        ["homepage"] = "null",
        ["loginUrl"] = "null",
        ["logoutUrl"] = "null",
        ["notificationEmailAddresses"] = "[]",
        ["preferredSingleSignOnMode"] = "null",
        ["preferredTokenSigningKeyThumbprint"] = "null",
        ["replyUrls"] = "[]",
        ["tokenEncryptionKeyId"] = "null",
        ["samlSingleSignOnSettings"] = "null",
        ["addIns"] = "[]",
        ["info"] = """{"logoUrl":null,"marketingUrl":null,"privacyStatementUrl":null,"supportUrl":null,"termsOfServiceUrl":null}""",
    };

    private static readonly HashSet<string> ServicePrincipalReadOnly = new(StringComparer.Ordinal)
    {
        "id", "deletedDateTime", "appDisplayName", "applicationTemplateId", "appOwnerOrganizationId", "disabledByMicrosoftStatus",
        "servicePrincipalType", "signInAudience", "appRoles", "oauth2PermissionScopes", "keyCredentials", "passwordCredentials",
        "resourceSpecificApplicationPermissions", "verifiedPublisher", "servicePrincipalNames", "alternativeNames",
    };

    public static readonly EntitySchema ServicePrincipalSchema = new(
        "servicePrincipals",
        "microsoft.graph.servicePrincipal",
        [
            "id", "deletedDateTime", "accountEnabled", "alternativeNames", "appDisplayName", "appDescription", "appId", "applicationTemplateId",
            "appOwnerOrganizationId", "appRoleAssignmentRequired", "description", "disabledByMicrosoftStatus", "displayName", "homepage",
            "loginUrl", "logoutUrl", "notes", "notificationEmailAddresses", "preferredSingleSignOnMode", "preferredTokenSigningKeyThumbprint",
            "replyUrls", "servicePrincipalNames", "servicePrincipalType", "signInAudience", "tags", "tokenEncryptionKeyId",
            "samlSingleSignOnSettings", "addIns", "appRoles", "info", "keyCredentials", "oauth2PermissionScopes", "passwordCredentials",
            "resourceSpecificApplicationPermissions", "verifiedPublisher",
        ],
        DefaultProperties: null,
        Filterable: new HashSet<string>(["id", "appId", "displayName", "servicePrincipalType", "tags", "servicePrincipalNames", "appOwnerOrganizationId"]));

    public static JsonObject ServicePrincipal(ServicePrincipal sp, SandboxRuntime runtime)
    {
        var app = runtime.Directory.FindApplicationByAppId(sp.AppId);
        string[] names = sp.IsManagedIdentity
            ? [sp.AppId.ToString(), sp.AlternativeNames.LastOrDefault() ?? ""]
            : sp.AppId == WellKnownIds.MicrosoftGraphAppId ? [sp.AppId.ToString(), runtime.GraphEndpoint] : [sp.AppId.ToString()];
        var json = new JsonObject();
        foreach (var name in ServicePrincipalSchema.Properties)
        {
            json[name] = name switch
            {
                "id" => sp.Id.ToString(),
                "deletedDateTime" or "applicationTemplateId" or "disabledByMicrosoftStatus" => null,
                "accountEnabled" => sp.AccountEnabled,
                "alternativeNames" => Strings(sp.AlternativeNames),
                "appDisplayName" => app?.DisplayName ?? sp.DisplayName,
                "appId" => sp.AppId.ToString(),
                "appOwnerOrganizationId" => sp.AppOwnerOrganizationId.ToString(),
                "appRoleAssignmentRequired" => sp.AppRoleAssignmentRequired,
                "description" => sp.Description,
                "displayName" => sp.DisplayName,
                "notes" => sp.Notes,
                "servicePrincipalNames" => Strings(names),
                "servicePrincipalType" => sp.ServicePrincipalType,
                "signInAudience" => sp.IsManagedIdentity ? null : sp.SignInAudience,
                "tags" => Strings(sp.Tags),
                "appRoles" => new JsonArray([.. sp.AppRoles.Select(r => (JsonNode)new JsonObject
                {
                    ["allowedMemberTypes"] = Strings(r.AllowedMemberTypes),
                    ["description"] = r.Description,
                    ["displayName"] = r.DisplayName,
                    ["id"] = r.Id.ToString(),
                    ["isEnabled"] = r.IsEnabled,
                    ["origin"] = r.Origin,
                    ["value"] = r.Value,
                })]),
                "oauth2PermissionScopes" => new JsonArray([.. sp.PermissionScopes.Select(s => (JsonNode)new JsonObject
                {
                    ["adminConsentDescription"] = s.AdminConsentDescription,
                    ["adminConsentDisplayName"] = s.AdminConsentDisplayName,
                    ["id"] = s.Id.ToString(),
                    ["isEnabled"] = true,
                    ["type"] = s.Type,
                    ["userConsentDescription"] = s.AdminConsentDescription,
                    ["userConsentDisplayName"] = s.AdminConsentDisplayName,
                    ["value"] = s.Value,
                })]),
                "keyCredentials" or "passwordCredentials" or "resourceSpecificApplicationPermissions" => new JsonArray(),
                "verifiedPublisher" => new JsonObject { ["displayName"] = null, ["verifiedPublisherId"] = null, ["addedDateTime"] = null },
                _ => JsonNode.Parse(sp.Properties.GetValueOrDefault(name) ?? ServicePrincipalBag[name]),
            };
        }

        return json;
    }

    /// <summary>Applies a POST/PATCH body to a service principal (appId only at creation, and only the same one).</summary>
    public static (ServicePrincipal? ServicePrincipal, GraphError? Error) ApplyToServicePrincipal(ServicePrincipal sp, JsonElement body)
    {
        const string Resource = "ServicePrincipal";
        foreach (var property in body.EnumerateObject())
        {
            if (property.Name.Contains("@odata.", StringComparison.Ordinal))
            {
                continue;
            }

            var name = ServicePrincipalSchema.Properties.FirstOrDefault(p => string.Equals(p, property.Name, StringComparison.OrdinalIgnoreCase));
            var value = property.Value;
            if (name is null)
            {
                return (null, GraphError.UnknownProperty(property.Name, ServicePrincipalSchema.TypeName));
            }

            switch (name)
            {
                case "appId":
                    if (!string.Equals(value.ValueKind == JsonValueKind.String ? value.GetString() : null, sp.AppId.ToString(), StringComparison.OrdinalIgnoreCase))
                    {
                        return (null, GraphError.InvalidPropertyValue(name, Resource));
                    }

                    break;
                case "accountEnabled" or "appRoleAssignmentRequired":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        return (null, GraphError.InvalidPropertyValue(name, Resource));
                    }

                    sp = name == "accountEnabled" ? sp with { AccountEnabled = value.GetBoolean() } : sp with { AppRoleAssignmentRequired = value.GetBoolean() };
                    break;
                case "displayName":
                    if (value.ValueKind != JsonValueKind.String || value.GetString()!.Trim().Length == 0)
                    {
                        return (null, GraphError.InvalidPropertyValue(name, Resource));
                    }

                    sp = sp with { DisplayName = value.GetString()! };
                    break;
                case "description" or "notes":
                    if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    {
                        return (null, GraphError.InvalidPropertyValue(name, Resource));
                    }

                    sp = name == "notes" ? sp with { Notes = value.GetString() } : sp with { Description = value.GetString() };
                    break;
                case "tags":
                    if (StringArray(value) is not { } tags)
                    {
                        return (null, GraphError.InvalidPropertyValue(name, Resource));
                    }

                    sp = sp with { Tags = tags };
                    break;
                default:
                    if (ServicePrincipalReadOnly.Contains(name))
                    {
                        return (null, GraphError.ReadOnlyProperty(name));
                    }

                    sp = sp with { Properties = sp.Properties.SetItem(name, value.GetRawText()) };
                    break;
            }
        }

        return (sp, null);
    }

    // ---- app role assignments ----

    public static readonly EntitySchema AppRoleAssignmentSchema = new(
        "appRoleAssignments",
        "microsoft.graph.appRoleAssignment",
        ["id", "deletedDateTime", "appRoleId", "createdDateTime", "principalDisplayName", "principalId", "principalType", "resourceDisplayName", "resourceId"],
        DefaultProperties: null,
        Filterable: new HashSet<string>(["resourceId", "principalId", "appRoleId"]));

    /// <summary>wire §4.6 body.</summary>
    public static JsonObject AppRoleAssignment(AppRoleAssignment assignment) => new()
    {
        ["id"] = assignment.Id,
        ["deletedDateTime"] = null,
        ["appRoleId"] = assignment.AppRoleId.ToString(),
        ["createdDateTime"] = Iso7(assignment.CreatedDateTime),
        ["principalDisplayName"] = assignment.PrincipalDisplayName,
        ["principalId"] = assignment.PrincipalId.ToString(),
        ["principalType"] = assignment.PrincipalType,
        ["resourceDisplayName"] = assignment.ResourceDisplayName,
        ["resourceId"] = assignment.ResourceId.ToString(),
    };

    // ---- users, domains, organization ----

    /// <summary>
    /// Users: the first eleven properties are what Graph v1.0 returns without <c>$select</c>; the
    /// others (accountEnabled, userType, onPremisesSyncEnabled, licences, plans) only when selected.
    /// </summary>
    public static readonly EntitySchema UserSchema = new(
        "users",
        "microsoft.graph.user",
        [
            "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage",
            "surname", "userPrincipalName", "id", "accountEnabled", "userType", "onPremisesSyncEnabled", "assignedLicenses", "assignedPlans",
        ],
        DefaultProperties:
        [
            "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage",
            "surname", "userPrincipalName", "id",
        ],
        Filterable: new HashSet<string>(["id", "userPrincipalName", "mail", "displayName", "userType"]));

    public static JsonObject User(DirectoryUser user) => new()
    {
        ["businessPhones"] = new JsonArray(),
        ["displayName"] = user.DisplayName,
        ["givenName"] = user.GivenName,
        ["jobTitle"] = null,
        ["mail"] = user.Mail,
        ["mobilePhone"] = null,
        ["officeLocation"] = null,
        ["preferredLanguage"] = null,
        ["surname"] = user.Surname,
        ["userPrincipalName"] = user.UserPrincipalName,
        ["id"] = user.Id.ToString(),
        ["accountEnabled"] = user.AccountEnabled,
        ["userType"] = user.UserType,
        ["onPremisesSyncEnabled"] = user.OnPremisesSyncEnabled,
        // wire §4.7 (INFERRED shape): {"disabledPlans":[],"skuId":…}
        ["assignedLicenses"] = new JsonArray([.. user.AssignedLicenses.Select(l => (JsonNode)new JsonObject
        {
            ["disabledPlans"] = new JsonArray(),
            ["skuId"] = l.SkuId.ToString(),
        })]),
        ["assignedPlans"] = new JsonArray([.. user.AssignedPlans.Select(p => (JsonNode)new JsonObject
        {
            ["assignedDateTime"] = Iso(p.AssignedDateTime),
            ["capabilityStatus"] = p.CapabilityStatus,
            ["service"] = p.Service,
            ["servicePlanId"] = p.ServicePlanId.ToString(),
        })]),
    };

    public static readonly EntitySchema DomainSchema = new(
        "domains",
        "microsoft.graph.domain",
        [
            "authenticationType", "availabilityStatus", "id", "isAdminManaged", "isDefault", "isInitial", "isRoot", "isVerified",
            "passwordNotificationWindowInDays", "passwordValidityPeriodInDays", "supportedServices", "state",
        ],
        DefaultProperties: null,
        Filterable: new HashSet<string>(["id"]));

    /// <summary>wire §4.9 keys (isVerified added; an unverified domain supports no services).</summary>
    public static JsonObject Domain(TenantDomain domain) => new()
    {
        ["authenticationType"] = "Managed",
        ["availabilityStatus"] = null,
        ["id"] = domain.Name,
        ["isAdminManaged"] = true,
        ["isDefault"] = domain.IsDefault,
        ["isInitial"] = domain.IsInitial,
        ["isRoot"] = true,
        ["isVerified"] = domain.IsVerified,
        ["passwordNotificationWindowInDays"] = null,
        ["passwordValidityPeriodInDays"] = null,
        ["supportedServices"] = domain.IsVerified ? new JsonArray("Email", "OfficeCommunicationsOnline") : new JsonArray(),
        ["state"] = null,
    };

    public static readonly EntitySchema OrganizationSchema = new(
        "organization",
        "microsoft.graph.organization",
        [
            "id", "deletedDateTime", "businessPhones", "city", "country", "countryLetterCode", "createdDateTime", "defaultUsageLocation",
            "displayName", "marketingNotificationEmails", "onPremisesLastSyncDateTime", "onPremisesSyncEnabled", "postalCode",
            "preferredLanguage", "securityComplianceNotificationMails", "securityComplianceNotificationPhones", "state", "street",
            "technicalNotificationMails", "tenantType", "assignedPlans", "privacyProfile", "provisionedPlans", "verifiedDomains",
        ],
        DefaultProperties: null,
        Filterable: new HashSet<string>(["id"]));

    /// <summary>
    /// wire §4.10. With Organization.Read.All or Directory.Read.All every property is filled;
    /// otherwise only id, displayName and verifiedDomains, the rest null.
    /// </summary>
    public static JsonObject Organization(SandboxRuntime runtime, bool full)
    {
        var tenant = runtime.Directory.Tenant;
        var json = new JsonObject
        {
            ["id"] = tenant.Id.ToString(),
            ["deletedDateTime"] = null,
            ["businessPhones"] = full ? new JsonArray() : null,
            ["city"] = full ? "Redmond" : null,
            ["country"] = null,
            ["countryLetterCode"] = full ? "US" : null,
            ["createdDateTime"] = full ? Iso(runtime.Now.AddDays(-900)) : null,
            ["defaultUsageLocation"] = null,
            ["displayName"] = tenant.DisplayName,
            ["marketingNotificationEmails"] = full ? new JsonArray() : null,
            ["onPremisesLastSyncDateTime"] = null,
            ["onPremisesSyncEnabled"] = null,
            ["postalCode"] = full ? "98052" : null,
            ["preferredLanguage"] = full ? "en" : null,
            ["securityComplianceNotificationMails"] = full ? new JsonArray() : null,
            ["securityComplianceNotificationPhones"] = full ? new JsonArray() : null,
            ["state"] = full ? "WA" : null,
            ["street"] = full ? "1 Microsoft Way" : null,
            ["technicalNotificationMails"] = full ? new JsonArray("admin@" + tenant.DefaultDomain.Name) : null,
            ["tenantType"] = full ? "AAD" : null,
            ["assignedPlans"] = full
                ? new JsonArray(new JsonObject
                {
                    ["assignedDateTime"] = Iso(runtime.Now.AddDays(-600)),
                    ["capabilityStatus"] = "Enabled",
                    ["service"] = "exchange",
                    ["servicePlanId"] = SeedData.ExchangeOnlineServicePlanId.ToString(),
                })
                : null,
            ["privacyProfile"] = null,
            ["provisionedPlans"] = full ? new JsonArray() : null,
            // capabilities is a comma-plus-space string, not an array (wire §4.10).
            ["verifiedDomains"] = new JsonArray([.. tenant.Domains.Where(d => d.IsVerified).Select(d => (JsonNode)new JsonObject
            {
                ["capabilities"] = "Email, OfficeCommunicationsOnline",
                ["isDefault"] = d.IsDefault,
                ["isInitial"] = d.IsInitial,
                ["name"] = d.Name,
                ["type"] = "Managed",
            })]),
        };
        return json;
    }

    // ---- helpers ----

    /// <summary>Directory timestamps: <c>2019-09-17T19:10:35.2742618Z</c>, whole seconds without a fraction.</summary>
    public static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>Credential timestamps, always with seven fraction digits (wire §4.3).</summary>
    public static string Iso7(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => JsonValue.Create(v))]);

    private static ImmutableArray<string>? StringArray(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String)
            ? [.. value.EnumerateArray().Select(v => v.GetString()!)]
            : null;

    private static string? Get(JsonElement element, string name) => BodyProperties.String(element, name);
}
