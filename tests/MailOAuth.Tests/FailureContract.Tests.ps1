# The failure contract at the cmdlet boundary: every failure is an ErrorRecord whose ErrorId is a stable
# diagnosis code (or PowerShell's ParameterArgumentValidationError for a refused input), never an
# escaped .NET exception. The inputs and answers below each escaped as a raw exception before.
Describe 'The failure contract of the cmdlets' -Tag 'Contract' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        $script:platform = @{ PlatformUri = $info.platform.uri; ApiToken = (ConvertTo-TestSecret $info.platform.apiToken) }
        function script:Settings {
            $a = $info.apps.consented
            @{ TenantId = $info.tenantId; ClientId = $a.clientId; ClientSecret = (ConvertTo-TestSecret $a.clientSecret); SenderAddress = $info.mailboxes.licensed }
        }
        function script:Requests([string] $Kind) { @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { -not $Kind -or $_.kind -eq $Kind }) }
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach { Reset-MailOAuthSandbox -Sandbox $sandbox }

    Context 'one kind, one category per code' {
        It 'maps every diagnosis code to an ErrorCategory' {
            $flags = [Reflection.BindingFlags]'NonPublic,Static'
            $categoryOf = [MailOAuth.Infrastructure.MailOAuthCmdlet].GetMethod('CategoryOf', $flags)
            $codeType = $categoryOf.GetParameters()[0].ParameterType
            $codes = [enum]::GetValues($codeType)
            $codes.Count | Should -BeGreaterThan 20
            foreach ($code in $codes) {
                $category = $categoryOf.Invoke($null, @($code))
                $category | Should -BeOfType ([System.Management.Automation.ErrorCategory])
                if ("$code" -ne 'InternalError') { $category | Should -Not -Be 'NotSpecified' -Because "$code needs a category" }
            }
        }
    }

    Context 'resources released' {
        It "releases a runspace's session when the runspace closes" {
            $flags = [Reflection.BindingFlags]'NonPublic,Static'
            $registry = [MailOAuth.Infrastructure.MailOAuthCmdlet].Assembly.GetType('MailOAuth.Infrastructure.SessionRegistry')
            $sessions = $registry.GetField('s_sessions', $flags).GetValue($null)
            $rs = [runspacefactory]::CreateRunspace()
            $rs.Open()
            $ps = [powershell]::Create()
            $ps.Runspace = $rs
            [void]$ps.AddScript('param($m) Import-Module $m; Get-MailOAuthEnvironment -Name Global | Out-Null').AddArgument($env:MAILOAUTH_MODULE_PATH).Invoke()
            $ps.Dispose()
            $session = $null
            $sessions.TryGetValue($rs, [ref]$session) | Should -BeTrue
            $rs.Close()
            # The state event may be raised on another thread: wait for the condition, bounded.
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while ($sessions.TryGetValue($rs, [ref]$session) -and [DateTime]::UtcNow -lt $deadline) { [void][Threading.SpinWait]::SpinUntil({ $false }, 20) }
            $sessions.TryGetValue($rs, [ref]$session) | Should -BeFalse
            $rs.Dispose()
        }

        It 'disposes the cancellation source of every cmdlet (IDisposable)' {
            $cmdlets = Get-Command -Module MailOAuth
            foreach ($c in $cmdlets) { $c.ImplementingType.GetInterfaces() | Should -Contain ([IDisposable]) -Because $c.Name }
        }
    }

    Context 'Retry-After: NaN (issue: System.ArgumentException / NetworkFailure)' {
        It 'Send-MailOAuthTest treats an unreadable Retry-After as none and retries' {
            Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = 'sendMail$'; status = 429; retryAfter = 'NaN'; count = 1 } | Out-Null
            $p = Get-SendParams -Sandbox $sandbox
            $result = Send-MailOAuthTest @p -ErrorVariable e -ErrorAction SilentlyContinue
            $e | Should -BeNullOrEmpty
            $result | Should -BeOfType 'MailOAuth.Output.MailOAuthTestResult'
            @(Requests | Where-Object { $_.path -match 'sendMail$' }).Count | Should -Be 2
        }

        It 'Set-ResellerSmtpSetting treats an unreadable Retry-After as none and retries' {
            Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = 'smtp'; method = 'PUT'; status = 503; retryAfter = 'NaN'; count = 1 } | Out-Null
            $s = Settings
            $stored = Set-ResellerSmtpSetting @platform @s -ErrorVariable e -ErrorAction SilentlyContinue
            $e | Should -BeNullOrEmpty
            $stored.ClientId | Should -Be $s.ClientId
        }

        It 'New-MailOAuthApp treats an unreadable Retry-After as none and retries' {
            Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
            Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = '/applications'; method = 'GET'; status = 429; retryAfter = 'NaN'; count = 1 } | Out-Null
            $app = New-MailOAuthApp -DisplayName "NaN retry $([guid]::NewGuid().ToString('N').Substring(0, 6))" -Confirm:$false -ErrorVariable e -ErrorAction SilentlyContinue
            $e | Should -BeNullOrEmpty
            $app.ClientId | Should -Not -BeNullOrEmpty
        }
    }

    Context 'inputs refused before any request' {
        It 'refuses an API token with CR/LF (issue: System.FormatException)' {
            $bad = @{ PlatformUri = $info.platform.uri; ApiToken = (ConvertTo-TestSecret "$($info.platform.apiToken)`r`nX-Injected: 1") }
            { Get-ResellerSmtpSetting @bad -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,MailOAuth.Commands.GetResellerSmtpSettingCommand'
            Requests -Kind 'platform' | Should -BeNullOrEmpty
        }

        It 'takes -TenantId with a trailing line break as the tenant without it (issue: System.ArgumentException)' {
            # A pasted trailing line break is trimmed before validation (NormalizeIdentifier): what is
            # validated is what is sent. A line break inside the value is refused (BadInput.Tests.ps1).
            $p = Get-SendParams -Sandbox $sandbox
            $p.TenantId = "$($p.TenantId)`n"
            $result = Send-MailOAuthTest @p -ErrorAction Stop
            $result.TenantId | Should -BeExactly $sandbox.Info.tenantId
        }

        It 'refuses an empty SecureString secret (issue: NetworkFailure although nothing was sent)' {
            $p = Get-SendParams -Sandbox $sandbox
            $p.ClientSecret = [securestring]::new()
            { Send-MailOAuthTest @p -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,MailOAuth.Commands.SendMailOAuthTestCommand'
            $s = Settings
            $s.ClientSecret = [securestring]::new()
            { Set-ResellerSmtpSetting @platform @s -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,MailOAuth.Commands.SetResellerSmtpSettingCommand'
            Requests | Should -BeNullOrEmpty
        }

        It 'refuses a profile whose getMethod is blank (issue: escaped exception)' {
            $bad = Join-Path ([IO.Path]::GetTempPath()) "blank-method-$([guid]::NewGuid()).json"
            Set-Content -Path $bad -Value '{ "getMethod": " " }'
            try {
                { Get-ResellerSmtpSetting @platform -PlatformProfile $bad -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPlatformProfile,MailOAuth.Commands.GetResellerSmtpSettingCommand'
                Requests -Kind 'platform' | Should -BeNullOrEmpty
            }
            finally { Remove-Item $bad }
        }

        It 'refuses a blank or control-character display name without any upsert' {
            Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
            Reset-MailOAuthSandbox -Sandbox $sandbox
            foreach ($name in '   ', "Email`r`nOAuth", "Email`0OAuth") {
                { New-MailOAuthApp -DisplayName $name -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,MailOAuth.Commands.NewMailOAuthAppCommand'
            }
            Requests | Should -BeNullOrEmpty
        }

        It "takes Get-MailOAuthEnvironment -Name '[' literally: UnknownEnvironment (issue: wildcard RuntimeException)" {
            $out = Get-MailOAuthEnvironment -Name '[' -ErrorVariable e -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $e.Count | Should -Be 1
            $e[0].FullyQualifiedErrorId | Should -Be 'UnknownEnvironment,MailOAuth.Commands.GetMailOAuthEnvironmentCommand'
            $e[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'names an unknown environment with the same ErrorId in Send-MailOAuthTest and Get-MailOAuthEnvironment' {
            $p = Get-SendParams -Sandbox $sandbox
            $p.Environment = 'Mars'
            $thrown = $null
            try { Send-MailOAuthTest @p -ErrorAction Stop } catch { $thrown = $_ }
            Get-MailOAuthEnvironment -Name 'Mars' -ErrorVariable e -ErrorAction SilentlyContinue | Out-Null
            ($thrown.FullyQualifiedErrorId -split ',')[0] | Should -Be 'UnknownEnvironment'
            ($e[0].FullyQualifiedErrorId -split ',')[0] | Should -Be 'UnknownEnvironment'
            $thrown.CategoryInfo.Category | Should -Be $e[0].CategoryInfo.Category
        }

        It 'explains a certificate file that cannot be opened, with a remediation' {
            $bad = Join-Path ([IO.Path]::GetTempPath()) "not-a-pfx-$([guid]::NewGuid()).pfx"
            Set-Content -Path $bad -Value 'this is not a certificate'
            try {
                $thrown = $null
                try {
                    Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.admin.clientId -CertificatePath $bad -CertificatePassword (ConvertTo-TestSecret 'wrong') -Environment Sandbox -ErrorAction Stop
                }
                catch { $thrown = $_ }
                $thrown.FullyQualifiedErrorId | Should -Be 'InvalidSignInInput,MailOAuth.Commands.ConnectMailOAuthCommand'
                $thrown.Exception.Message | Should -Match 'password is wrong or missing'
                $thrown.ErrorDetails.RecommendedAction | Should -Match '-CertificatePath'
                Requests -Kind 'token' | Should -BeNullOrEmpty
            }
            finally { Remove-Item $bad }
        }
    }
}
