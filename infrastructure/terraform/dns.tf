# Private DNS zones for every private endpoint (and the PostgreSQL delegated subnet), each
# linked to the VNet so App Service resolves the private addresses through VNet integration.
# The public records of a custom domain live in the owner's DNS: see outputs.tf and the README.

locals {
  private_dns_zones = {
    keyvault = "privatelink.vaultcore.azure.net"
    openai   = "privatelink.openai.azure.com"
    redis    = "privatelink.redis.azure.net" # Azure Managed Redis (not redis.cache.windows.net)
    blob     = "privatelink.blob.core.windows.net"
    table    = "privatelink.table.core.windows.net"
    # A server in a delegated subnet needs a zone ending in .postgres.database.azure.com;
    # privatelink.postgres.database.azure.com is reserved for private endpoints.
    postgres = "${local.name}.private.postgres.database.azure.com"
  }
}

resource "azurerm_private_dns_zone" "zone" {
  for_each            = local.private_dns_zones
  name                = each.value
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "zone" {
  for_each             = local.private_dns_zones
  name                 = "link-${each.key}"
  private_dns_zone_id  = azurerm_private_dns_zone.zone[each.key].id
  virtual_network_id   = azurerm_virtual_network.main.id
  registration_enabled = false
  tags                 = local.tags
}
