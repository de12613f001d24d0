using System.Text;
using MailOAuth.Core.Auth;
using Xunit;

namespace MailOAuth.Core.Tests.Auth;

/// <summary>Decoding the app-only Graph token's claims (docs/service-behaviour.md#token-roles): roles present, absent, or no token at all.</summary>
public class AccessTokenClaimsTests
{
    private const string Header = """{"typ":"JWT","alg":"RS256","x5t":"nOo3ZDrODXEK1jKWhXslHR_KXEg","kid":"nOo3ZDrODXEK1jKWhXslHR_KXEg"}""";

    // The real decoded token of docs/service-behaviour.md#token-roles (elided values filled in).
    private const string RealPayload = """
        {"aud":"https://graph.microsoft.com","iss":"https://sts.windows.net/63122682-bd96-47fd-97ab-95a76ce699a6/","iat":1717046428,"nbf":1717046428,"exp":1717050328,
         "aio":"E2NgYHhq8Xsk9vH3LmvN1w==","app_displayname":"downloader","appid":"1671f074-56e2-4c37-873b-b7b07a120b18","appidacr":"1",
         "idp":"https://sts.windows.net/63122682-bd96-47fd-97ab-95a76ce699a6/","idtyp":"app",
         "oid":"72243241-f194-45f3-987d-eeb347b83b69","rh":"0.AXQAgiYSY5a9_Uc","roles":["User.ReadBasic.All","Mail.Read"],
         "sub":"72243241-f194-45f3-987d-eeb347b83b69","tenant_region_scope":"EU","tid":"63122682-bd96-47fd-97ab-95a76ce699a6",
         "uti":"Zm9vYmFy","ver":"1.0","wids":["0997a1d0-0d1d-4acb-b408-d5ca73121e90"],"xms_tcdt":1717004002,"xms_tdbr":"EU"}
        """;

    private static string B64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Jwt(string payloadJson) => B64Url(Header) + "." + B64Url(payloadJson) + ".c2lnbmF0dXJl";

    [Fact]
    public void Real_token_claims_are_read()
    {
        var claims = AccessTokenClaims.Decode(Jwt(RealPayload));

        Assert.Equal(new[] { "User.ReadBasic.All", "Mail.Read" }, claims.Roles);
        Assert.Equal("1671f074-56e2-4c37-873b-b7b07a120b18", claims.AppId);
        Assert.Equal("63122682-bd96-47fd-97ab-95a76ce699a6", claims.TenantId);
        Assert.Equal("72243241-f194-45f3-987d-eeb347b83b69", claims.ObjectId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1717046428), claims.IssuedAt);
        Assert.False(claims.HasRole("Mail.Send"));
        Assert.True(claims.HasRole("Mail.Read"));
    }

    [Fact]
    public void Mail_Send_role_is_found()
    {
        var claims = AccessTokenClaims.Decode(Jwt("""{"appid":"a","tid":"t","roles":["Mail.Send"]}"""));
        Assert.True(claims.HasRole("Mail.Send"));
        Assert.Equal(new[] { "Mail.Send" }, claims.Roles);
    }

    [Fact]
    public void Roles_are_case_sensitive()
    {
        // App role values are matched exactly, as Graph does.
        var claims = AccessTokenClaims.Decode(Jwt("""{"roles":["mail.send"]}"""));
        Assert.False(claims.HasRole("Mail.Send"));
    }

    [Fact]
    public void No_roles_claim_means_no_roles()
    {
        // docs/service-behaviour.md#token-roles: no consent gives no roles claim at all, not an empty array.
        var payload = RealPayload.Replace("\"roles\":[\"User.ReadBasic.All\",\"Mail.Read\"],", "");
        Assert.DoesNotContain("roles", payload);

        var claims = AccessTokenClaims.Decode(Jwt(payload));

        Assert.Empty(claims.Roles);
        Assert.False(claims.HasRole("Mail.Send"));
        Assert.Equal("1671f074-56e2-4c37-873b-b7b07a120b18", claims.AppId);
        Assert.Equal("63122682-bd96-47fd-97ab-95a76ce699a6", claims.TenantId);
    }

    [Fact]
    public void V2_token_appid_comes_from_azp()
    {
        var claims = AccessTokenClaims.Decode(Jwt("""{"azp":"2b7c9d1e-0000-4000-8000-000000000001","ver":"2.0","roles":["Mail.Send"]}"""));
        Assert.Equal("2b7c9d1e-0000-4000-8000-000000000001", claims.AppId);
    }

    [Fact]
    public void Non_string_role_entries_are_ignored()
    {
        var claims = AccessTokenClaims.Decode(Jwt("""{"roles":["Mail.Send",42,null,{"x":1}]}"""));
        Assert.Equal(new[] { "Mail.Send" }, claims.Roles);
    }

    [Fact]
    public void Roles_that_are_not_an_array_give_no_roles()
    {
        var claims = AccessTokenClaims.Decode(Jwt("""{"roles":"Mail.Send"}"""));
        Assert.Empty(claims.Roles);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("not.a.jwt")]
    [InlineData("a.!!!!.c")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJyb2xlcyI6.sig")] // truncated payload
    [InlineData("eyJhbGciOiJub25lIn0.bm90IGpzb24.sig")]  // "not json"
    [InlineData("eyJhbGciOiJub25lIn0.W10.sig")]          // "[]": JSON, but not an object
    [InlineData("eyJhbGciOiJub25lIn0.Ik1haWwuU2VuZCI.sig")] // "\"Mail.Send\"": a JSON string
    public void Garbage_token_gives_no_claims_and_no_exception(string token)
    {
        var claims = AccessTokenClaims.Decode(token);

        Assert.Empty(claims.Roles);
        Assert.False(claims.HasRole("Mail.Send"));
        Assert.Null(claims.AppId);
        Assert.Null(claims.TenantId);
        Assert.Null(claims.ObjectId);
        Assert.Null(claims.IssuedAt);
    }
}
