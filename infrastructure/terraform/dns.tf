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

# --- Custom domain records (seed "Custom Domain & TLS"), two-phase ------------------------------
# The managed certificate needs `custom_domain` to be a CNAME of the API's default hostname,
# which carries the random suffix and so exists only after the first apply. Two ways:
# - the domain's zone is in Azure DNS (same subscription): set custom_domain_dns_zone_id and
#   Terraform writes the CNAME and the asuid TXT record, then binds, in the same apply;
# - the zone is elsewhere: apply once without the binding, create the two records that
#   CUSTOM_DOMAIN_DNS_RECORDS lists, then set custom_domain_dns_ready = true and apply again.
# The domain must be a subdomain (api.example.com): a zone apex cannot be a CNAME.

locals {
  custom_domain_zone  = var.custom_domain_dns_zone_id != "" ? provider::azurerm::parse_resource_id(var.custom_domain_dns_zone_id) : null
  custom_domain_label = try(trimsuffix(var.custom_domain, ".${local.custom_domain_zone.resource_name}"), "")
  # Bind only when the records exist (or are written in this apply): binding before DNS fails.
  custom_domain_bound = var.custom_domain != "" && (var.custom_domain_dns_zone_id != "" || var.custom_domain_dns_ready)
}

resource "azurerm_dns_cname_record" "custom_domain" {
  count               = var.custom_domain != "" && var.custom_domain_dns_zone_id != "" ? 1 : 0
  name                = local.custom_domain_label
  zone_name           = local.custom_domain_zone.resource_name
  resource_group_name = local.custom_domain_zone.resource_group_name
  ttl                 = 3600
  record              = azurerm_linux_web_app.api.default_hostname
  tags                = local.tags
}

resource "azurerm_dns_txt_record" "custom_domain_verification" {
  count               = var.custom_domain != "" && var.custom_domain_dns_zone_id != "" ? 1 : 0
  name                = "asuid.${local.custom_domain_label}"
  zone_name           = local.custom_domain_zone.resource_name
  resource_group_name = local.custom_domain_zone.resource_group_name
  ttl                 = 3600
  tags                = local.tags

  record {
    value = azurerm_linux_web_app.api.custom_domain_verification_id
  }
}
