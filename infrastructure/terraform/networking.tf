# The seed's VNet: app (API) and worker integration subnets delegated to App Service, a
# private-endpoint subnet, a PostgreSQL subnet delegated to Flexible Server and a management
# subnet; NSGs with the seed's rules; a NAT gateway as the one controlled path to the internet.

locals {
  subnet_prefixes = {
    app    = cidrsubnet(var.vnet_address_space, 8, 1) # 10.0.1.0/24
    pe     = cidrsubnet(var.vnet_address_space, 8, 2) # 10.0.2.0/24
    db     = cidrsubnet(var.vnet_address_space, 8, 3) # 10.0.3.0/24
    mgmt   = cidrsubnet(var.vnet_address_space, 8, 4) # 10.0.4.0/24
    worker = cidrsubnet(var.vnet_address_space, 8, 5) # 10.0.5.0/24: a plan needs its own subnet
  }
  # Both App Service plans send traffic from these ranges.
  app_source_prefixes = [local.subnet_prefixes.app, local.subnet_prefixes.worker]
  # Managed Redis listens on 10000 (Azure Cache for Redis used 6380): the seed's rule, new port.
  redis_port = 10000
}

resource "azurerm_virtual_network" "main" {
  name                = "vnet-${local.name}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  address_space       = [var.vnet_address_space]
  tags                = local.tags
}

resource "azurerm_subnet" "app" {
  name                            = "app-subnet"
  resource_group_name             = azurerm_resource_group.main.name
  virtual_network_name            = azurerm_virtual_network.main.name
  address_prefixes                = [local.subnet_prefixes.app]
  default_outbound_access_enabled = false

  delegation {
    name = "app-service"
    service_delegation {
      name    = "Microsoft.Web/serverFarms"
      actions = ["Microsoft.Network/virtualNetworks/subnets/action"]
    }
  }
}

resource "azurerm_subnet" "worker" {
  name                            = "worker-subnet"
  resource_group_name             = azurerm_resource_group.main.name
  virtual_network_name            = azurerm_virtual_network.main.name
  address_prefixes                = [local.subnet_prefixes.worker]
  default_outbound_access_enabled = false

  delegation {
    name = "app-service"
    service_delegation {
      name    = "Microsoft.Web/serverFarms"
      actions = ["Microsoft.Network/virtualNetworks/subnets/action"]
    }
  }
}

resource "azurerm_subnet" "pe" {
  name                 = "pe-subnet"
  resource_group_name  = azurerm_resource_group.main.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = [local.subnet_prefixes.pe]
  # NSG rules apply to private endpoints only with network policies on.
  private_endpoint_network_policies = "Enabled"
  default_outbound_access_enabled   = false
}

resource "azurerm_subnet" "db" {
  name                            = "db-subnet"
  resource_group_name             = azurerm_resource_group.main.name
  virtual_network_name            = azurerm_virtual_network.main.name
  address_prefixes                = [local.subnet_prefixes.db]
  default_outbound_access_enabled = false

  delegation {
    name = "postgresql"
    service_delegation {
      name    = "Microsoft.DBforPostgreSQL/flexibleServers"
      actions = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
    }
  }
}

resource "azurerm_subnet" "mgmt" {
  name                            = "mgmt-subnet"
  resource_group_name             = azurerm_resource_group.main.name
  virtual_network_name            = azurerm_virtual_network.main.name
  address_prefixes                = [local.subnet_prefixes.mgmt]
  default_outbound_access_enabled = false
}

# --- NSGs (seed 004 "Network Security Groups") ------------------------------------------

resource "azurerm_network_security_group" "app" {
  name                = "app-nsg-${local.name}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags

  security_rule {
    name                         = "AllowVNetOutbound"
    priority                     = 100
    direction                    = "Outbound"
    access                       = "Allow"
    protocol                     = "Tcp"
    source_port_range            = "*"
    source_address_prefixes      = local.app_source_prefixes
    destination_address_prefixes = [local.subnet_prefixes.pe, local.subnet_prefixes.db]
    destination_port_ranges      = ["443", "5432", tostring(local.redis_port)]
  }

  # The seed's SailPoint rule, generalised: HTTPS to SaaS APIs (Anthropic, OpenAI) through the NAT gateway.
  security_rule {
    name                       = "AllowHttpsInternetOutbound"
    priority                   = 110
    direction                  = "Outbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    source_address_prefixes    = local.app_source_prefixes
    destination_address_prefix = "Internet"
    destination_port_range     = "443"
  }

  security_rule {
    name                       = "DenyAllOutbound"
    priority                   = 4096
    direction                  = "Outbound"
    access                     = "Deny"
    protocol                   = "*"
    source_port_range          = "*"
    source_address_prefix      = "*"
    destination_address_prefix = "*"
    destination_port_range     = "*"
  }
}

resource "azurerm_network_security_group" "pe" {
  name                = "pe-nsg-${local.name}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags

  security_rule {
    name                       = "AllowFromApp"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    source_address_prefixes    = local.app_source_prefixes
    destination_address_prefix = local.subnet_prefixes.pe
    destination_port_ranges    = ["443", tostring(local.redis_port)]
  }

  security_rule {
    name                       = "DenyAll"
    priority                   = 4096
    direction                  = "Inbound"
    access                     = "Deny"
    protocol                   = "*"
    source_port_range          = "*"
    source_address_prefix      = "*"
    destination_address_prefix = local.subnet_prefixes.pe
    destination_port_range     = "*"
  }
}

resource "azurerm_network_security_group" "db" {
  name                = "db-nsg-${local.name}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags

  security_rule {
    name                       = "AllowFromApp"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    source_address_prefixes    = local.app_source_prefixes
    destination_address_prefix = local.subnet_prefixes.db
    destination_port_range     = "5432"
  }

  # Zone-redundant HA replicates between the primary and the standby inside this subnet.
  security_rule {
    name                       = "AllowWithinDbSubnet"
    priority                   = 110
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    source_address_prefix      = local.subnet_prefixes.db
    destination_address_prefix = local.subnet_prefixes.db
    destination_port_range     = "5432"
  }

  security_rule {
    name                       = "DenyAll"
    priority                   = 4096
    direction                  = "Inbound"
    access                     = "Deny"
    protocol                   = "*"
    source_port_range          = "*"
    source_address_prefix      = "*"
    destination_address_prefix = local.subnet_prefixes.db
    destination_port_range     = "*"
  }
}

resource "azurerm_network_security_group" "mgmt" {
  name                = "mgmt-nsg-${local.name}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags

  security_rule {
    name                       = "DenyAllInbound"
    priority                   = 4096
    direction                  = "Inbound"
    access                     = "Deny"
    protocol                   = "*"
    source_port_range          = "*"
    source_address_prefix      = "*"
    destination_address_prefix = "*"
    destination_port_range     = "*"
  }
}

resource "azurerm_subnet_network_security_group_association" "app" {
  subnet_id                 = azurerm_subnet.app.id
  network_security_group_id = azurerm_network_security_group.app.id
}

resource "azurerm_subnet_network_security_group_association" "worker" {
  subnet_id                 = azurerm_subnet.worker.id
  network_security_group_id = azurerm_network_security_group.app.id
}

resource "azurerm_subnet_network_security_group_association" "pe" {
  subnet_id                 = azurerm_subnet.pe.id
  network_security_group_id = azurerm_network_security_group.pe.id
}

resource "azurerm_subnet_network_security_group_association" "db" {
  subnet_id                 = azurerm_subnet.db.id
  network_security_group_id = azurerm_network_security_group.db.id
}

resource "azurerm_subnet_network_security_group_association" "mgmt" {
  subnet_id                 = azurerm_subnet.mgmt.id
  network_security_group_id = azurerm_network_security_group.mgmt.id
}

# --- Outbound: route-all sends everything into the VNet; the NAT gateway is its one exit -----

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

resource "azurerm_subnet_nat_gateway_association" "app" {
  subnet_id      = azurerm_subnet.app.id
  nat_gateway_id = azurerm_nat_gateway.main.id
}

resource "azurerm_subnet_nat_gateway_association" "worker" {
  subnet_id      = azurerm_subnet.worker.id
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
  subnet_id           = azurerm_subnet.pe.id
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
