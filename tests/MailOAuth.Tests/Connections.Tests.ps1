Describe 'Connections: one per runspace, never carried to the wrong tenant' -Tag 'Connection' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        $script:tools = Join-Path $PSScriptRoot '../../build/SandboxTools.psm1'
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach { Reset-MailOAuthSandbox -Sandbox $sandbox; Disconnect-MailOAuth }

    It 'a failed Connect-MailOAuth ends the earlier connection and says so' {
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
        { Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.admin.clientId -ClientSecret (ConvertTo-TestSecret 'not-the-admin-secret-value-0123456789') `
                -Environment Sandbox -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidClientSecret,MailOAuth.Commands.ConnectMailOAuthCommand' -ExpectedMessage '*earlier connection to tenant*was ended*'
        { New-MailOAuthApp -DisplayName 'After a failed connect' -ErrorAction Stop } | Should -Throw -ErrorId 'NotConnected,MailOAuth.Commands.NewMailOAuthAppCommand'
        (Get-MailOAuthSandboxDirectory -Sandbox $sandbox).applications.displayName | Should -Not -Contain 'After a failed connect'
    }

    It 'Remove-Module then Import-Module forgets the connection' {
        $infoPath = Join-Path ([IO.Path]::GetTempPath()) ('mailoauth-info-' + [guid]::NewGuid().ToString('N') + '.json')
        $info | ConvertTo-Json -Depth 8 | Set-Content -Path $infoPath
        $child = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$env:MAILOAUTH_MODULE_PATH'
`$i = Get-Content -Raw '$infoPath' | ConvertFrom-Json
Add-MailOAuthEnvironment -Name Sandbox -AuthorityHost `$i.authorityHost -GraphEndpoint `$i.graphEndpoint -TrustedCertificatePath `$i.certificatePath | Out-Null
Connect-MailOAuth -TenantId `$i.tenantId -ClientId `$i.admin.clientId -ClientSecret (ConvertTo-SecureString `$i.admin.clientSecret -AsPlainText -Force) -Environment Sandbox | Out-Null
try { Get-MailOAuthApp -ErrorAction Stop | Out-Null; 'connected' } catch { `$_.FullyQualifiedErrorId }
Remove-Module MailOAuth
Import-Module '$env:MAILOAUTH_MODULE_PATH' -Force
try { Get-MailOAuthApp -ErrorAction Stop | Out-Null; 'still connected' } catch { `$_.FullyQualifiedErrorId }
"@
        try {
            # A fresh process: the pwsh this suite runs in (the dotnet tool's pwsh.dll, or an installed pwsh).
            $pwshDll = Join-Path $PSHOME 'pwsh.dll'
            $exe = if (Test-Path $pwshDll) { 'dotnet' } else { (Get-Process -Id $PID).Path }
            $prefix = @(if (Test-Path $pwshDll) { $pwshDll })
            $result = @(& $exe @prefix -NoProfile -NonInteractive -Command $child)
        }
        finally { Remove-Item $infoPath -ErrorAction SilentlyContinue }
        ($result -join "`n") | Should -Match "connected`\nNotConnected,"

    }

    It 'ForEach-Object -Parallel: each runspace needs its own Connect (-UseNewRunspace keeps iterations apart)' {
        $mod = $env:MAILOAUTH_MODULE_PATH
        $results = 1..2 | ForEach-Object -ThrottleLimit 1 -UseNewRunspace -Parallel {
            $n = $_
            Import-Module $using:tools
            Import-Module $using:mod
            $sb = $using:sandbox
            Register-MailOAuthSandboxEnvironment -Sandbox $sb | Out-Null
            if ($n -eq 1) {
                Connect-MailOAuth -TenantId $sb.Info.tenantId -ClientId $sb.Info.admin.clientId `
                    -ClientSecret (ConvertTo-SecureString $sb.Info.admin.clientSecret -AsPlainText -Force) -Environment Sandbox | Out-Null
            }
            try { Get-MailOAuthApp -ErrorAction Stop | Out-Null; "$n connected" } catch { "$n $($_.FullyQualifiedErrorId.Split(',')[0])" }
        }
        $results | Should -Contain '1 connected'
        ($results | Where-Object { $_ -like '2 *' }) | Should -Be '2 NotConnected'
    }

    It 'ForEach-Object -Parallel: Connect inside the script block works in every iteration' {
        $mod = $env:MAILOAUTH_MODULE_PATH
        $results = 1..3 | ForEach-Object -ThrottleLimit 2 -Parallel {
            Import-Module $using:tools
            Import-Module $using:mod
            $sb = $using:sandbox
            Register-MailOAuthSandboxEnvironment -Sandbox $sb | Out-Null
            $c = Connect-MailOAuth -TenantId $sb.Info.tenantId -ClientId $sb.Info.admin.clientId `
                -ClientSecret (ConvertTo-SecureString $sb.Info.admin.clientSecret -AsPlainText -Force) -Environment Sandbox
            "$_ $($c.TenantId)"
        }
        $results.Count | Should -Be 3
        $results | ForEach-Object { $_ | Should -Match (" " + [regex]::Escape($info.tenantId) + '$') }
    }

    It '-ExchangeRbac names Policy.Read.All at sign-in, so the secret-policy pre-flight can read the policies on a fresh consent' {
        Reset-MailOAuthSandboxDirectory -Sandbox $sandbox
        $c = Connect-MailOAuth -TenantId $info.tenantId -UseDeviceCode -ExchangeRbac -Environment Sandbox -WarningAction SilentlyContinue
        $c.Scopes | Should -Contain 'Policy.Read.All'
        $c.Scopes | Should -Contain 'RoleManagement.ReadWrite.Exchange'
        Reset-MailOAuthSandbox -Sandbox $sandbox
        $records = New-MailOAuthApp -DisplayName "Preflight $([guid]::NewGuid().ToString('n').Substring(0, 8))" -WarningAction SilentlyContinue -Verbose 4>&1
        ($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) -join "`n" | Should -Not -Match 'Could not read the tenant''s app management policies'
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.path -match 'policies/defaultAppManagementPolicy$' -and $_.status -eq 200 }).Count | Should -BeGreaterThan 0
        Reset-MailOAuthSandboxDirectory -Sandbox $sandbox
    }

    It 'Disconnect-MailOAuth drops the connection' {
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
        Disconnect-MailOAuth
        { Get-MailOAuthApp -ErrorAction Stop } | Should -Throw -ErrorId 'NotConnected,MailOAuth.Commands.GetMailOAuthAppCommand'
    }
}
