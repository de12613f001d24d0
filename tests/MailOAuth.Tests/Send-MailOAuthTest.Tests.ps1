Describe 'Send-MailOAuthTest against the sandbox' -Tag 'Send' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        $script:cmd = 'MailOAuth.Commands.SendMailOAuthTestCommand'
    }
    AfterAll { if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox } }
    BeforeEach { Reset-MailOAuthSandbox -Sandbox $sandbox }

    Context 'a working configuration' {
        It 'sends through a real client-credentials token and returns a typed result' {
            $p = Get-SendParams -Sandbox $sandbox
            $result = Send-MailOAuthTest @p -Subject 'Pester hello'
            $result | Should -BeOfType 'MailOAuth.Output.MailOAuthTestResult'
            $result.Status | Should -Be 'Accepted'
            $result.TokenRoles | Should -Contain 'Mail.Send'
            $result.RequestId | Should -Not -BeNullOrEmpty
            $outbox = @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox)
            $outbox.Count | Should -Be 1
            $outbox[0].subject | Should -Be 'Pester hello'
            $outbox[0].to | Should -Contain 'admin@contoso.com'
        }

        It 'binds every identifier by property name from the pipeline' {
            $p = Get-SendParams -Sandbox $sandbox
            $input = [pscustomobject]@{ TenantId = $p.TenantId; ClientId = $p.ClientId; ClientSecret = $p.ClientSecret; SenderAddress = $p.SenderAddress; Environment = 'Sandbox' }
            $result = $input | Send-MailOAuthTest -To 'a@contoso.com', 'b@contoso.com'
            $result.To | Should -Be @('a@contoso.com', 'b@contoso.com')
            @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox).Count | Should -Be 1
        }

        It 'reuses one token for two sends with the same credentials' {
            # Tenant by domain: a credential this session has not used yet.
            $p = Get-SendParams -Sandbox $sandbox
            $p.TenantId = $info.tenantDomain
            Send-MailOAuthTest @p | Out-Null
            Send-MailOAuthTest @p | Out-Null
            $tokenRequests = @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object kind -EQ 'token')
            $tokenRequests.Count | Should -Be 1
            @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox).Count | Should -Be 2
        }

        It 'stops promptly when the pipeline is stopped (Ctrl+C), even while Graph is slow to answer' {
            Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = 'sendMail$'; latencyMs = 30000; count = 1 } | Out-Null
            $p = Get-SendParams -Sandbox $sandbox
            $ps = [powershell]::Create()
            [void]$ps.AddScript({
                    param($module, $info, $p)
                    Import-Module $module
                    Add-MailOAuthEnvironment -Name Sandbox -AuthorityHost $info.authorityHost -GraphEndpoint $info.graphEndpoint -TrustedCertificatePath $info.certificatePath | Out-Null
                    Send-MailOAuthTest @p
                }).AddArgument($env:MAILOAUTH_MODULE_PATH).AddArgument($info).AddArgument($p)
            $handle = $ps.BeginInvoke()
            try {
                # Wait (bounded) until the token is fetched, i.e. the slow sendMail is under way.
                $deadline = [DateTime]::UtcNow.AddSeconds(20)
                while (-not @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object kind -EQ 'token').Count -and [DateTime]::UtcNow -lt $deadline) {
                    [void]$handle.AsyncWaitHandle.WaitOne(50)
                }
                $sw = [System.Diagnostics.Stopwatch]::StartNew()
                $ps.Stop()
                $sw.Elapsed.TotalSeconds | Should -BeLessThan 3
                $ps.InvocationStateInfo.State | Should -Be 'Stopped'
                @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox).Count | Should -Be 0
            }
            finally { $ps.Dispose() }
        }

        It '-WhatIf sends nothing and requests nothing' {
            $p = Get-SendParams -Sandbox $sandbox
            Send-MailOAuthTest @p -WhatIf | Should -BeNullOrEmpty
            @(Get-MailOAuthSandboxRequest -Sandbox $sandbox).Count | Should -Be 0
        }
    }

    Context 'each failure has its diagnosis code' {
        It '<Name> gives <Code>' -ForEach @(
            @{ Name = 'unknown tenant domain'; Code = 'TenantNotFound'; Change = { param($p, $i) $p.TenantId = 'nowhere.example' } }
            @{ Name = 'unknown client id'; Code = 'ApplicationNotFound'; Change = { param($p, $i) $p.ClientId = [guid]::NewGuid().Guid } }
            @{ Name = 'wrong secret value'; Code = 'InvalidClientSecret'; Change = { param($p, $i) $p.ClientSecret = ConvertTo-TestSecret 'Wrong8Q~notTheSecretValueAtAll1234567890' } }
            @{ Name = 'expired secret'; Code = 'ClientSecretExpired'; App = 'expiredSecret' }
            @{ Name = 'Conditional Access'; Code = 'ConditionalAccessBlocked'; App = 'conditionalAccessBlocked' }
            @{ Name = 'no Mail.Send consent'; Code = 'MailSendPermissionMissing'; App = 'unconsented' }
            @{ Name = 'mailbox outside the access policy'; Code = 'MailboxAccessDenied'; Change = { param($p, $i) $p.SenderAddress = $i.mailboxes.restricted } }
            @{ Name = 'no such mailbox'; Code = 'SenderMailboxNotFound'; Change = { param($p, $i) $p.SenderAddress = 'nobody@contoso.com' } }
            @{ Name = 'unlicensed mailbox'; Code = 'SenderMailboxNotLicensed'; Change = { param($p, $i) $p.SenderAddress = $i.mailboxes.unlicensed } }
            @{ Name = 'From another mailbox'; Code = 'SendAsDenied'; Change = { param($p, $i) $p.From = $i.mailboxes.other } }
        ) {
            $p = Get-SendParams -Sandbox $sandbox -App ($(if ($App) { $App } else { 'consented' }))
            if ($Change) { & $Change $p $info }
            $result = Send-MailOAuthTest @p -ErrorAction SilentlyContinue -ErrorVariable failure
            $result | Should -BeNullOrEmpty
            $failure.Count | Should -Be 1
            $failure[0].FullyQualifiedErrorId | Should -Be "$Code,$cmd"
            $failure[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
            $failure[0].Exception.Code | Should -Be $Code
            @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox).Count | Should -Be 0
        }

        It 'calls a GUID-shaped secret the secret ID' {
            $p = Get-SendParams -Sandbox $sandbox -Secret $info.apps.consented.secretKeyId
            Send-MailOAuthTest @p -ErrorAction SilentlyContinue -ErrorVariable failure | Out-Null
            $failure[0].FullyQualifiedErrorId | Should -Be "InvalidClientSecret,$cmd"
            $failure[0].Exception.Message | Should -Match 'secret \*ID\*'
            $failure[0].Exception.Message | Should -Match 'AADSTS7000215'
            $failure[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        }

        It 'diagnoses a token without Mail.Send before sending anything' {
            $p = Get-SendParams -Sandbox $sandbox -App 'unconsented'
            Send-MailOAuthTest @p -ErrorAction SilentlyContinue -ErrorVariable failure | Out-Null
            $failure[0].FullyQualifiedErrorId | Should -Be "MailSendPermissionMissing,$cmd"
            @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object kind -EQ 'graph').Count | Should -Be 0
        }

        It '-SkipRoleCheck sends without the role (Exchange RBAC for Applications) and explains Graph''s own refusal' {
            $p = Get-SendParams -Sandbox $sandbox -App 'unconsented'
            Send-MailOAuthTest @p -SkipRoleCheck -ErrorAction SilentlyContinue -ErrorVariable failure | Out-Null
            @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.kind -eq 'graph' -and $_.status -eq 403 }).Count | Should -Be 1
            $failure[0].FullyQualifiedErrorId | Should -Be "MailSendPermissionMissing,$cmd"
            $failure[0].Exception.Message | Should -Match 'ErrorAccessDenied'
        }

        It 'puts the Graph request-id and code in the message' {
            $p = Get-SendParams -Sandbox $sandbox -Sender $info.mailboxes.unlicensed
            Send-MailOAuthTest @p -ErrorAction SilentlyContinue -ErrorVariable failure | Out-Null
            $failure[0].Exception.Message | Should -Match 'MailboxNotEnabledForRESTAPI'
            $failure[0].Exception.Message | Should -Match 'request-id [0-9a-f-]{36}'
            $failure[0].Exception.RequestId | Should -Not -BeNullOrEmpty
        }

        It 'retries throttling with Retry-After and then reports Throttled' {
            Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = 'sendMail$'; status = 429; retryAfter = '0.2'; count = 20 } | Out-Null
            $p = Get-SendParams -Sandbox $sandbox
            $verbose = Send-MailOAuthTest @p -Verbose -ErrorAction SilentlyContinue -ErrorVariable failure 4>&1
            $failure[0].FullyQualifiedErrorId | Should -Be "Throttled,$cmd"
            $failure[0].Exception.Message | Should -Match 'Retried 4 times'
            @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'retry \d of 4' }).Count | Should -Be 4
            @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.kind -eq 'graph' -and $_.status -eq 429 }).Count | Should -Be 5
        }

        It 'rides out a transient 503 on the token endpoint' {
            Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = '/oauth2/v2.0/token$'; status = 503; retryAfter = '0.1'; count = 1 } | Out-Null
            # The same sandbox under another environment name: a credential with no cached token yet.
            Register-MailOAuthSandboxEnvironment -Sandbox $sandbox -Name 'Sandbox503' | Out-Null
            $p = Get-SendParams -Sandbox $sandbox -App 'consented'
            $p.Environment = 'Sandbox503'
            (Send-MailOAuthTest @p).Status | Should -Be 'Accepted'
            @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object kind -EQ 'token' | ForEach-Object status) | Should -Be @(503, 200)
        }

        It 'reports ServiceUnavailable when the token endpoint stays down' {
            Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = '/oauth2/v2.0/token$'; status = 503; retryAfter = '0'; count = 50 } | Out-Null
            # A credential that has never had a token, so the token endpoint is really asked.
            $p = Get-SendParams -Sandbox $sandbox -App 'expiredSecret'
            Send-MailOAuthTest @p -ErrorAction SilentlyContinue -ErrorVariable failure | Out-Null
            $failure[0].FullyQualifiedErrorId | Should -Be "ServiceUnavailable,$cmd"
        }
    }

    Context 'bad input is refused before anything is sent' {
        It 'refuses <Name>' -ForEach @(
            @{ Name = 'a malformed tenant'; Param = 'TenantId'; Value = 'not a tenant!' }
            @{ Name = 'a 35-digit tenant GUID'; Param = 'TenantId'; Value = '8f2c1d3e-5b6a-4c7d-9e8f-0a1b2c3d4e5' }
            @{ Name = 'a non-GUID client id'; Param = 'ClientId'; Value = 'my-app' }
            @{ Name = 'a malformed sender'; Param = 'SenderAddress'; Value = 'sender-at-contoso.com' }
            @{ Name = 'a malformed recipient'; Param = 'To'; Value = @('admin@contoso.com', 'nope') }
            @{ Name = 'an empty To'; Param = 'To'; Value = @() }
        ) {
            $p = Get-SendParams -Sandbox $sandbox
            $p[$Param] = $Value
            { Send-MailOAuthTest @p -ErrorAction Stop } | Should -Throw -ErrorId "*,$cmd"
            @(Get-MailOAuthSandboxRequest -Sandbox $sandbox).Count | Should -Be 0
        }

        It 'refuses an unknown environment with UnknownEnvironment' {
            $p = Get-SendParams -Sandbox $sandbox
            $p.Environment = 'Atlantis'
            { Send-MailOAuthTest @p -ErrorAction Stop } | Should -Throw -ErrorId "UnknownEnvironment,$cmd"
        }
    }
}
