# The seed's VNet: app (API) and worker integration subnets delegated to App Service, a
# private-endpoint subnet, a PostgreSQL subnet delegated to Flexible Server and a management
# subnet; NSGs with the seed's rules; a NAT gateway as the one controlled path to the internet.
# Two more subnets hold the pipelines' migration runners (runners.tf): GitHub-hosted runners
# with Azure private networking and an Azure DevOps Managed DevOps Pool, each switchable per
# environment. test/infrastructure/network-model.test.ts checks who reaches what.

locals {
  subnet_prefixes = {
    app    = cidrsubnet(var.vnet_address_space, 8, 1) # 10.0.1.0/24
    pe     = cidrsubnet(var.vnet_address_space, 8, 2) # 10.0.2.0/24
    db     = cidrsubnet(var.vnet_address_space, 8, 3) # 10.0.3.0/24
    mgmt   = cidrsubnet(var.vnet_address_space, 8, 4) # 10.0.4.0/24
    worker = cidrsubnet(var.vnet_address_space, 8, 5) # 10.0.5.0/24: a plan needs its own subnet
    # The migration runners (runners.tf). Their ranges stay reserved when a runner is off, so the
    # NSG rules below keep one shape in every environment (no host exists in an absent subnet).
    github_runners = cidrsubnet(var.vnet_address_space, 8, 6) # 10.0.6.0/24
    devops_pool    = cidrsubnet(var.vnet_address_space, 8, 7) # 10.0.7.0/24
  }
  # Both App Service plans send traffic from these ranges.
  app_source_prefixes = [local.subnet_prefixes.app, local.subnet_prefixes.worker]
  # The pipelines' migration step runs from these (runners.tf).
  runner_source_prefixes = [local.subnet_prefixes.github_runners, local.subnet_prefixes.devops_pool]
  # Managed Redis listens on 10000 (Azure Cache for Redis used 6380): the seed's rule, new port.
  # PostgreSQL: 5432 direct, 6432 through the built-in PgBouncer.
  redis_port = 10000
}

resource "azurerm_virtual_network" "main" {
  name                = "vnet-${local.name}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  address_space       = [var.vnet_address_space]
  tags                = local.tags
}

locals {
  app_service_delegation = { service = "Microsoft.Web/serverFarms", action = "Microsoft.Network/virtualNetworks/subnets/action" }
  postgres_delegation    = { service = "Microsoft.DBforPostgreSQL/flexibleServers", action = "Microsoft.Network/virtualNetworks/subnets/join/action" }
  github_delegation      = { service = "GitHub.Network/networkSettings", action = "Microsoft.Network/virtualNetworks/subnets/join/action" }
  devops_pool_delegation = { service = "Microsoft.DevOpsInfrastructure/pools", action = "Microsoft.Network/virtualNetworks/subnets/join/action" }

  # Subnet -> its delegation (null: none), the NSG that guards it, whether it leaves through the
  # NAT gateway (nothing else has a way out: default outbound access is off) and whether it exists.
  subnets = {
    app            = { delegation = local.app_service_delegation, nsg = "app", nat = true, enabled = true }
    worker         = { delegation = local.app_service_delegation, nsg = "app", nat = true, enabled = true }
    pe             = { delegation = null, nsg = "pe", nat = false, enabled = true }
    db             = { delegation = local.postgres_delegation, nsg = "db", nat = false, enabled = true }
    mgmt           = { delegation = null, nsg = "mgmt", nat = false, enabled = true }
    github_runners = { delegation = local.github_delegation, nsg = "runners", nat = true, enabled = var.github_runners_enabled }
    devops_pool    = { delegation = local.devops_pool_delegation, nsg = "runners", nat = true, enabled = var.devops_pool_enabled }
  }
  enabled_subnets = { for name, subnet in local.subnets : name => subnet if subnet.enabled }
}

resource "azurerm_subnet" "subnet" {
  for_each             = local.enabled_subnets
  name                 = "${each.key}-subnet"
  resource_group_name  = azurerm_resource_group.main.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = [local.subnet_prefixes[each.key]]
  # NSG rules apply to private endpoints only with network policies on.
  private_endpoint_network_policies = "Enabled"
  # No implicit internet access: the NAT gateway below is the one way out.
  default_outbound_access_enabled = false

  dynamic "delegation" {
    for_each = each.value.delegation == null ? [] : [each.value.delegation]
    content {
      name = "delegation"
      service_delegation {
        name    = delegation.value.service
        actions = [delegation.value.action]
      }
    }
  }
}

# --- NSGs (seed 004 "Network Security Groups") ------------------------------------------
# `sources`/`destinations` are lists of prefixes or one service tag ("*", "Internet").

locals {
  nsg_rules = {
    app = [
      {
        name    = "AllowVNetOutbound", priority = 100, direction = "Outbound", access = "Allow", protocol = "Tcp",
        sources = local.app_source_prefixes, destinations = [local.subnet_prefixes.pe, local.subnet_prefixes.db],
        ports   = ["443", "5432", "6432", tostring(local.redis_port)]
      },
      # The seed's SailPoint rule, generalised: HTTPS to SaaS APIs (Anthropic, OpenAI) via the NAT gateway.
      {
        name    = "AllowHttpsInternetOutbound", priority = 110, direction = "Outbound", access = "Allow", protocol = "Tcp",
        sources = local.app_source_prefixes, destinations = ["Internet"], ports = ["443"]
      },
      {
        name    = "DenyAllOutbound", priority = 4096, direction = "Outbound", access = "Deny", protocol = "*",
        sources = ["*"], destinations = ["*"], ports = ["*"]
      },
    ]
    pe = [
      {
        name    = "AllowFromApp", priority = 100, direction = "Inbound", access = "Allow", protocol = "Tcp",
        sources = local.app_source_prefixes, destinations = [local.subnet_prefixes.pe],
        ports   = ["443", tostring(local.redis_port)]
      },
      # The migration step reads the database URL from Key Vault; it needs no Redis.
      {
        name    = "AllowFromRunners", priority = 110, direction = "Inbound", access = "Allow", protocol = "Tcp",
        sources = local.runner_source_prefixes, destinations = [local.subnet_prefixes.pe], ports = ["443"]
      },
      {
        name    = "DenyAll", priority = 4096, direction = "Inbound", access = "Deny", protocol = "*",
        sources = ["*"], destinations = [local.subnet_prefixes.pe], ports = ["*"]
      },
    ]
    db = [
      {
        name    = "AllowFromApp", priority = 100, direction = "Inbound", access = "Allow", protocol = "Tcp",
        sources = local.app_source_prefixes, destinations = [local.subnet_prefixes.db], ports = ["5432", "6432"]
      },
      # Migrations use the direct port; 6432 lets an operator's job use the pool too.
      {
        name    = "AllowFromRunners", priority = 105, direction = "Inbound", access = "Allow", protocol = "Tcp",
        sources = local.runner_source_prefixes, destinations = [local.subnet_prefixes.db], ports = ["5432", "6432"]
      },
      # Zone-redundant HA replicates between the primary and the standby inside this subnet.
      {
        name    = "AllowWithinDbSubnet", priority = 110, direction = "Inbound", access = "Allow", protocol = "Tcp",
        sources = [local.subnet_prefixes.db], destinations = [local.subnet_prefixes.db], ports = ["5432"]
      },
      {
        name    = "DenyAll", priority = 4096, direction = "Inbound", access = "Deny", protocol = "*",
        sources = ["*"], destinations = [local.subnet_prefixes.db], ports = ["*"]
      },
    ]
    mgmt = [
      {
        name    = "DenyAllInbound", priority = 4096, direction = "Inbound", access = "Deny", protocol = "*",
        sources = ["*"], destinations = ["*"], ports = ["*"]
      },
    ]
    # Migration runners: the database and the vault's private endpoint inside, HTTPS out through
    # the NAT gateway (GitHub or Azure DevOps, npm, Entra ID, ARM); nothing comes in.
    runners = [
      {
        name    = "AllowDatabaseOutbound", priority = 100, direction = "Outbound", access = "Allow", protocol = "Tcp",
        sources = local.runner_source_prefixes, destinations = [local.subnet_prefixes.db], ports = ["5432", "6432"]
      },
      {
        name    = "AllowPrivateEndpointsOutbound", priority = 110, direction = "Outbound", access = "Allow", protocol = "Tcp",
        sources = local.runner_source_prefixes, destinations = [local.subnet_prefixes.pe], ports = ["443"]
      },
      {
        name    = "AllowHttpsInternetOutbound", priority = 120, direction = "Outbound", access = "Allow", protocol = "Tcp",
        sources = local.runner_source_prefixes, destinations = ["Internet"], ports = ["443"]
      },
      {
        name    = "DenyAllOutbound", priority = 4096, direction = "Outbound", access = "Deny", protocol = "*",
        sources = ["*"], destinations = ["*"], ports = ["*"]
      },
      {
        name    = "DenyAllInbound", priority = 4096, direction = "Inbound", access = "Deny", protocol = "*",
        sources = ["*"], destinations = ["*"], ports = ["*"]
      },
    ]
  }
}

resource "azurerm_network_security_group" "nsg" {
  for_each            = local.nsg_rules
  name                = "${each.key}-nsg-${local.name}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags

  dynamic "security_rule" {
    for_each = each.value
    content {
      name              = security_rule.value.name
      priority          = security_rule.value.priority
      direction         = security_rule.value.direction
      access            = security_rule.value.access
      protocol          = security_rule.value.protocol
      source_port_range = "*"
      # A single entry may be a service tag, which only the singular arguments accept.
      source_address_prefix        = length(security_rule.value.sources) == 1 ? security_rule.value.sources[0] : null
      source_address_prefixes      = length(security_rule.value.sources) > 1 ? security_rule.value.sources : null
      destination_address_prefix   = length(security_rule.value.destinations) == 1 ? security_rule.value.destinations[0] : null
      destination_address_prefixes = length(security_rule.value.destinations) > 1 ? security_rule.value.destinations : null
      destination_port_range       = length(security_rule.value.ports) == 1 ? security_rule.value.ports[0] : null
      destination_port_ranges      = length(security_rule.value.ports) > 1 ? security_rule.value.ports : null
    }
  }
}

resource "azurerm_subnet_network_security_group_association" "subnet" {
  for_each                  = local.enabled_subnets
  subnet_id                 = azurerm_subnet.subnet[each.key].id
  network_security_group_id = azurerm_network_security_group.nsg[each.value.nsg].id
}

# --- Outbound: route-all sends everything into the VNet; the NAT gateway is its one exit -----
# (for the app and worker; the runners' only exit too)

resource "azurerm_public_ip" "nat" {
  name                = "pip-nat-${local.name}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  allocation_method   = "Static"
  sku                 = "Standard"
  tags                = local.tags
}

resource "azurerm_nat_gateway" "main" {
  name                    = "nat-${local.name}"
  location                = azurerm_resource_group.main.location
  resource_group_name     = azurerm_resource_group.main.name
  sku_name                = "Standard"
  idle_timeout_in_minutes = 10
  tags                    = local.tags
}

resource "azurerm_nat_gateway_public_ip_association" "main" {
  nat_gateway_id       = azurerm_nat_gateway.main.id
  public_ip_address_id = azurerm_public_ip.nat.id
}

resource "azurerm_subnet_nat_gateway_association" "integration" {
  for_each       = { for name, subnet in local.enabled_subnets : name => subnet if subnet.nat }
  subnet_id      = azurerm_subnet.subnet[each.key].id
  nat_gateway_id = azurerm_nat_gateway.main.id
}

# --- Private endpoints (seed: "Private Endpoints" in pe-subnet) ------------------------------

locals {
  private_endpoints = {
    keyvault = { resource_id = azurerm_key_vault.main.id, subresource = "vault" }
    openai   = { resource_id = azurerm_cognitive_account.openai.id, subresource = "account" }
    redis    = { resource_id = azurerm_managed_redis.main.id, subresource = "redisEnterprise" }
    blob     = { resource_id = azurerm_storage_account.main.id, subresource = "blob" }
    table    = { resource_id = azurerm_storage_account.main.id, subresource = "table" }
  }
}

resource "azurerm_private_endpoint" "pe" {
  for_each            = local.private_endpoints
  name                = "pe-${each.key}-${local.name}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  subnet_id           = azurerm_subnet.subnet["pe"].id
  tags                = local.tags

  private_service_connection {
    name                           = "psc-${each.key}"
    private_connection_resource_id = each.value.resource_id
    subresource_names              = [each.value.subresource]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [azurerm_private_dns_zone.zone[each.key].id]
  }
}
