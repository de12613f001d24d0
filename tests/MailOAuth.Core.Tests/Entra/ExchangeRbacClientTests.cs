using System.Net;
using System.Text;
using System.Text.Json;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Cloud;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Core.Graph;
using MailOAuth.Core.Resilience;
using Xunit;

namespace MailOAuth.Core.Tests.Entra;

/// <summary>
/// <see cref="ExchangeRbacClient"/>'s reading of answers over a fake Graph behind the module's own handlers: a success answer
/// that lacks what it should hold is a service answer (UnexpectedResponse), never a MailOAuth defect (InternalError).
/// </summary>
public sealed class ExchangeRbacClientTests : IDisposable
{
    private const string Principal = "/ServicePrincipals/5b5b5b5b-0000-0000-0000-000000000002";
    private const string RoleDefinitionId = "c4d5e6f7-1111-2222-3333-444455556666";
    private const string Scope = "/Users/7d7d7d7d-0000-0000-0000-000000000004";

    private readonly MailOAuthSession _session = new(new RetryPolicy(maxRetries: 0));

    public void Dispose() => _session.Dispose();

    /// <summary>Answers the assignment POST with <paramref name="status"/> and <paramref name="body"/>; counts the POSTs.</summary>
    private sealed class FakeExchange(HttpStatusCode status, string body) : HttpMessageHandler
    {
        public int Posts { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath == "/beta/roleManagement/exchange/roleAssignments") Posts++;
            var response = new HttpResponseMessage(status);
            if (body.Length > 0) response.Content = new StringContent(body, Encoding.UTF8, "application/json");
            return Task.FromResult(response);
        }
    }

    private ExchangeRbacClient Connect(HttpMessageHandler graph)
    {
        var env = new CloudEnvironment("FakeCloud", new Uri("https://login.fake.test"), new Uri("https://graph.fake.test"), isBuiltIn: false);
        string[] roles = ["RoleManagement.ReadWrite.Exchange"];
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), roles })))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var tokens = TokenSource.For(env, new StaticTokenCredential("e30." + payload + ".sig", TimeProvider.System), new DiagnosisContext());
        var connection = new AdminConnection(env, "tenant-1", ConnectMethod.ClientSecret, null, "admin", roles, Array.Empty<string>(), tokens,
            GraphClients.Create(_session.HttpFor(env), tokens, graph), DateTimeOffset.UtcNow);
        return new ExchangeRbacClient(connection);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("{}", false)]
    [InlineData("{\"id\":null,\"principalId\":\"/ServicePrincipals/x\"}", false)]
    public async Task A_created_answer_without_the_assignment_is_UnexpectedResponse_saying_it_may_exist_and_is_not_repeated(string body, bool empty)
    {
        var fake = new FakeExchange(HttpStatusCode.Created, body);
        var client = Connect(fake);

        var error = await Assert.ThrowsAsync<MailOAuthException>(() => client.CreateAssignmentAsync(Principal, RoleDefinitionId, Scope, CancellationToken.None));

        Assert.Equal(DiagnosisCode.UnexpectedResponse, error.Diagnosis.Code);
        Assert.Equal(201, error.Diagnosis.HttpStatus);
        Assert.Contains(empty ? "with no body" : "names no assignment id", error.Diagnosis.Cause);
        Assert.Contains("may have been made", error.Diagnosis.Cause);
        Assert.Contains("Run the command again", error.Diagnosis.Remediation);
        Assert.Equal(1, fake.Posts); // a create is never repeated (a second assignment could be made)
    }

    [Fact]
    public async Task A_created_answer_with_the_assignment_is_read()
    {
        var client = Connect(new FakeExchange(HttpStatusCode.Created,
            $"{{\"id\":\"c5dd3ab8-374f-42e9-b163-eb7c54b53755\",\"principalId\":\"{Principal}\",\"roleDefinitionId\":\"{RoleDefinitionId}\",\"directoryScopeId\":\"{Scope}\",\"appScopeId\":null}}"));

        var created = await client.CreateAssignmentAsync(Principal, RoleDefinitionId, Scope, CancellationToken.None);

        Assert.Equal("c5dd3ab8-374f-42e9-b163-eb7c54b53755", created.Id);
        Assert.Equal(Scope, created.DirectoryScopeId);
    }
}
