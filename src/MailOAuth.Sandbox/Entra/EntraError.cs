namespace MailOAuth.Sandbox.Entra;

/// <summary>
/// One Entra ID error: HTTP status, OAuth2 <c>error</c>, AADSTS code and message (without the
/// trace suffix), and the optional Conditional Access extras (docs/service-behaviour.md#entra-error-body, #aadsts-conditional-access).
/// </summary>
public sealed record EntraError(int Status, string Error, int Code, string Message, string? Suberror = null, string? Claims = null);

/// <summary>The error catalogue, texts word for word from the sources docs/service-behaviour.md cites.</summary>
public static class EntraErrors
{
    private const string TenantNotFoundText =
        "Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.";

    // docs/service-behaviour.md#aadsts-invalid-secret (2022+ text). Covers a wrong value, a removed secret and the secret ID pasted as the value.
    public static EntraError InvalidClientSecret(string appId) => new(401, "invalid_client", 7000215,
        $"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{appId}'.");

    // docs/service-behaviour.md#aadsts-expired-secret (2022+ text).
    public static EntraError ExpiredClientSecret(string appId) => new(401, "invalid_client", 7000222,
        $"The provided client secret keys for app '{appId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.");

    // docs/service-behaviour.md#aadsts-app-not-found; the directory is named by its display name.
    public static EntraError ApplicationNotFound(string appId, string tenantDisplayName) => new(400, "unauthorized_client", 700016,
        $"Application with identifier '{appId}' was not found in the directory '{tenantDisplayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.");

    // docs/service-behaviour.md#aadsts-tenant-not-found (token endpoint: invalid_request) and docs/service-behaviour.md#discovery (OIDC discovery: invalid_tenant).
    public static EntraError TenantNotFound(string tenantAsGiven, bool forDiscovery) =>
        new(400, forDiscovery ? "invalid_tenant" : "invalid_request", 90002, $"Tenant '{tenantAsGiven}' not found. {TenantNotFoundText}");

    // docs/service-behaviour.md#aadsts-tenant-not-found.
    public static EntraError MalformedTenant(string tenantAsGiven) => new(400, "invalid_request", 900023,
        $"Specified tenant identifier '{tenantAsGiven}' is neither a valid DNS name, nor a valid external domain.");

    // INFERRED: client credentials against /common or /organizations name no tenant.
    public static EntraError NoTenant() => new(400, "invalid_request", 50059,
        "No tenant-identifying information found in either the request or implied by any provided credentials.");

    // docs/service-behaviour.md#aadsts-scope: a permission name (no "/.default") on client credentials.
    public static EntraError ScopeWithoutDefault(string scope) => new(400, "invalid_scope", 1002012,
        $"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).");

    // docs/service-behaviour.md#aadsts-scope: "<resource>/.default" for a resource the sandbox does not know, or several resources.
    public static EntraError InvalidScope(string scope) => new(400, "invalid_scope", 70011,
        $"The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid.");

    // docs/service-behaviour.md#aadsts-missing-credential.
    public static EntraError MissingClientCredential() => new(401, "invalid_client", 7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");

    // docs/service-behaviour.md#aadsts-missing-credential: no active keyCredential of the app has the assertion's thumbprint.
    public static EntraError AssertionKeyNotFound(string thumbprint, string appId, string graphEndpoint) => new(401, "invalid_client", 700027,
        $"Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{appId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as '{graphEndpoint}/beta/applications/{appId}']. Alternatively, SNI may be configured on the app. Please ensure that client assertion is being sent with the x5c claim in the JWT header using MSAL's WithSendX5C() method so that Azure Active Directory can validate the certificate being used.");

    // The same text with the signature reason (INFERRED: the reason sentence for a key that is
    // registered but did not verify the signature).
    public static EntraError AssertionBadSignature(string thumbprint, string appId) => new(401, "invalid_client", 700027,
        $"Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '{thumbprint}', Found key 'Start=…, End=…', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{appId}'.]");

    // docs/service-behaviour.md#aadsts-missing-credential (AADSTS700024 text SEEN in gh:AzureAD/microsoft-authentication-library-for-java#984, 2025);
    // status 401 INFERRED (invalid_client).
    public static EntraError AssertionOutsideValidTime(DateTimeOffset now, DateTimeOffset validFrom, DateTimeOffset expiry) => new(401, "invalid_client", 700024,
        $"Client assertion is not within its valid time range. Current time: {Iso(now)}, assertion valid from {Iso(validFrom)}, expiry time of assertion {Iso(expiry)}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .");

    // SEEN (status 400, invalid_request, text) in gh:Azure/azure-workload-identity#616 (2022).
    public static EntraError NoMatchingFederatedIdentity(string issuer, string subject, string audience) => new(400, "invalid_request", 70021,
        $"No matching federated identity record found for presented assertion. Assertion Issuer: '{issuer}'. Assertion Subject: '{subject}'. Assertion Audience: '{audience}'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation");

    // INFERRED: a federated assertion whose signature the issuer's keys do not verify.
    public static EntraError FederatedAssertionBadSignature(string issuer) => new(400, "invalid_request", 700211,
        $"No matching federated identity record found for presented assertion issuer '{issuer}'. The assertion signature could not be verified with the issuer's published keys.");

    // INFERRED text: a certificate assertion whose sub is not the client_id.
    public static EntraError AssertionSubjectMismatch() => new(401, "invalid_client", 700021,
        "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .");

    // INFERRED: a certificate assertion whose aud is not this tenant's token endpoint.
    public static EntraError AssertionAudienceInvalid(string audience) => new(401, "invalid_client", 700022,
        $"The audience '{audience}' of the client assertion is not the token endpoint of this tenant. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .");

    // INFERRED (common AADSTS50027 text).
    public static EntraError MalformedAssertion() => new(400, "invalid_request", 50027,
        "JWT token is invalid or malformed.");

    // INFERRED: an application with no service principal in the tenant.
    public static EntraError NoServicePrincipal(Guid appId, Guid tenantId) => new(400, "invalid_client", 7000229,
        $"The client application {appId} is missing service principal in the tenant {tenantId}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119");

    // Device code errors: error strings from entra-docs v2-oauth2-device-code.md; codes and texts INFERRED.
    public static EntraError BadVerificationCode() => new(400, "bad_verification_code", 70000,
        "The provided value for the input parameter 'device_code' is not valid.");

    public static EntraError ExpiredDeviceCode() => new(400, "expired_token", 70020,
        "The provided value for the input parameter 'device_code' is not valid. This device code has expired.");

    // INFERRED: an unknown, or another client's, refresh token.
    public static EntraError InvalidRefreshToken() => new(400, "invalid_grant", 9002313,
        "Invalid request. Request is malformed or invalid.");

    // docs/service-behaviour.md#aadsts-conditional-access, client-credential variant: invalid_grant, 400, suberror and claims.
    public static EntraError ConditionalAccessBlocked(Guid policyId) => new(400, "invalid_grant", 53003,
        "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
        Suberror: "message_only",
        Claims: "{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"" + policyId + "\"]}}}");

    // INFERRED (common AADSTS900144 text).
    public static EntraError MissingParameter(string name) => new(400, "invalid_request", 900144,
        $"The request body must contain the following parameter: '{name}'.");

    // INFERRED.
    public static EntraError UnsupportedGrantType(string grantType) => new(400, "unsupported_grant_type", 70003,
        $"The app requested an unsupported grant type '{grantType}'.");

    // INFERRED.
    public static EntraError PostOnly(string method) => new(400, "invalid_request", 900561,
        $"The endpoint only accepts POST requests. Received a {method} request.");

    // docs/service-behaviour.md#discovery.
    public static EntraError UnknownInstance() => new(400, "invalid_instance", 50049, "Unknown or invalid instance.");

    // INFERRED.
    public static EntraError MissingInstanceParameter(string name) => new(400, "invalid_request", 90014,
        $"The required field '{name}' is missing from the credential. Ensure that you have all the necessary parameters for the login request.");

    // INFERRED: injected faults and server failures.
    public static EntraError Throttled() => new(429, "temporarily_unavailable", 50196,
        "The server terminated an operation because it encountered a client request loop. Please contact your app vendor.");

    public static EntraError Unavailable(int status) => new(status, "temporarily_unavailable", 90033,
        "A transient error has occurred. Please try again.");

    private static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static EntraError Generic(int status) => new(status, "invalid_request", 90000,
        "The request could not be processed. Please try again.");
}
