Describe 'The built module' -Tag 'Module' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:module = Get-Module MailOAuth
        $script:manifest = Import-PowerShellDataFile $env:MAILOAUTH_MODULE_PATH
    }

    It 'is stamped with the version from Directory.Build.props' {
        $props = [xml](Get-Content -Raw (Join-Path $PSScriptRoot '../../Directory.Build.props'))
        $expected = @($props.Project.PropertyGroup.VersionPrefix | Where-Object { $_ })[0]
        $module.Version | Should -Be ([version]$expected)
    }

    It 'exports exactly the cmdlets its manifest lists' {
        @($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($manifest.CmdletsToExport | Sort-Object)
        $manifest.FunctionsToExport | Should -BeNullOrEmpty
        $manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
    }

    It 'declares an output type on every cmdlet' {
        foreach ($c in Get-Command -Module MailOAuth) { $c.OutputType | Should -Not -BeNullOrEmpty -Because $c.Name }
    }

    It 'has -WhatIf on every cmdlet that changes something' {
        $mutators = @(Get-Command -Module MailOAuth | Where-Object Verb -In 'Add', 'New', 'Set', 'Remove', 'Grant', 'Send')
        $mutators.Count | Should -BeGreaterOrEqual 7
        foreach ($c in $mutators) { $c.Parameters.Keys | Should -Contain 'WhatIf' -Because $c.Name }
        (Get-Command Remove-MailOAuthApp).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
    }

    It 'formats results with its table views' {
        foreach ($c in Get-Command -Module MailOAuth) {
            foreach ($t in $c.OutputType.Type | Where-Object { $_.Namespace -eq 'MailOAuth.Output' }) {
                Get-FormatData -TypeName $t.FullName | Should -Not -BeNullOrEmpty -Because "$($c.Name) outputs $($t.FullName)"
            }
        }
    }

    It 'loads Core into its own load context, and works again after Remove-Module and a re-import' {
        Get-MailOAuthEnvironment | Out-Null
        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'MailOAuth.Core' }
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core).GetType().Name | Should -Be 'DependencyLoadContext'
        Remove-Module MailOAuth
        Import-Module $env:MAILOAUTH_MODULE_PATH
        (Get-MailOAuthEnvironment -Name Global).Name | Should -Be 'Global'
    }

    It 'never shows PowerShell a Core type (type boundary)' {
        foreach ($c in Get-Command -Module MailOAuth) {
            foreach ($t in $c.OutputType.Type) { $t.Assembly.GetName().Name | Should -Not -Be 'MailOAuth.Core' }
            foreach ($p in $c.Parameters.Values) { $p.ParameterType.Assembly.GetName().Name | Should -Not -Be 'MailOAuth.Core' }
        }
    }
}

Describe 'Clouds' -Tag 'Environment' {
    BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

    It 'knows the four built-in clouds with their hosts (docs/service-behaviour.md#national-clouds)' {
        $envs = Get-MailOAuthEnvironment
        ($envs | Where-Object Name -EQ 'Global').GraphEndpoint | Should -Be 'https://graph.microsoft.com/'
        ($envs | Where-Object Name -EQ 'USGov').AuthorityHost | Should -Be 'https://login.microsoftonline.us/'
        ($envs | Where-Object Name -EQ 'USGovDoD').GraphEndpoint | Should -Be 'https://dod-graph.microsoft.us/'
        ($envs | Where-Object Name -EQ 'China').AuthorityHost | Should -Be 'https://login.chinacloudapi.cn/'
        @($envs | Where-Object IsBuiltIn).Count | Should -Be 4
    }

    It 'adds a custom cloud and finds it by wildcard' {
        Add-MailOAuthEnvironment -Name 'Private1' -AuthorityHost 'https://login.private.example' -GraphEndpoint 'https://graph.private.example' |
            Should -BeOfType 'MailOAuth.Output.MailOAuthEnvironmentInfo'
        (Get-MailOAuthEnvironment -Name 'Priv*').Name | Should -Be 'Private1'
    }

    It 'refuses to replace a built-in cloud' {
        Add-MailOAuthEnvironment -Name 'Global' -AuthorityHost 'https://evil.example' -GraphEndpoint 'https://evil.example' -ErrorAction SilentlyContinue -ErrorVariable e
        $e[0].FullyQualifiedErrorId | Should -BeLike 'InvalidEnvironment,*'
        (Get-MailOAuthEnvironment -Name Global).AuthorityHost | Should -Be 'https://login.microsoftonline.com/'
    }

    It 'refuses http:// endpoints' {
        Add-MailOAuthEnvironment -Name 'Plain' -AuthorityHost 'http://login.example' -GraphEndpoint 'https://graph.example' -ErrorAction SilentlyContinue -ErrorVariable e
        $e[0].FullyQualifiedErrorId | Should -BeLike 'InvalidEnvironment,*'
        Get-MailOAuthEnvironment -Name 'Plain' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It '-WhatIf adds nothing' {
        Add-MailOAuthEnvironment -Name 'WhatIfCloud' -AuthorityHost 'https://a.example' -GraphEndpoint 'https://b.example' -WhatIf
        Get-MailOAuthEnvironment -Name 'WhatIfCloud' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'completes -Environment names' {
        $line = 'Send-MailOAuthTest -Environment US'
        $names = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $names | Should -Contain 'USGov'
        $names | Should -Contain 'USGovDoD'
        $names | Should -Not -Contain 'Global'
    }

    It 'keeps clouds per runspace (nothing global)' {
        Add-MailOAuthEnvironment -Name 'OnlyHere' -AuthorityHost 'https://a.example' -GraphEndpoint 'https://b.example' | Out-Null
        $ps = [powershell]::Create()
        try {
            $names = $ps.AddCommand('Import-Module').AddArgument($env:MAILOAUTH_MODULE_PATH).AddStatement().AddCommand('Get-MailOAuthEnvironment').Invoke().Name
            $names | Should -Contain 'Global'
            $names | Should -Not -Contain 'OnlyHere'
        }
        finally { $ps.Dispose() }
    }
}
