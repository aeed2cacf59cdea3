# Azure OpenAI: one account, local (key) auth off so only managed identities get in, private
# endpoint (networking.tf), and the seed's deployments at its TPM figures: gpt-4o (chat and tool
# calling), gpt-4o-mini (summaries, classification), whisper (seed 002 transcription).

resource "azurerm_cognitive_account" "openai" {
  name                          = "oai-${local.name}-${local.suffix}"
  location                      = azurerm_resource_group.main.location
  resource_group_name           = azurerm_resource_group.main.name
  kind                          = "OpenAI"
  sku_name                      = "S0"
  custom_subdomain_name         = "oai-${local.name}-${local.suffix}"
  local_auth_enabled            = false
  public_network_access_enabled = var.public_network_access_enabled
  tags                          = local.tags

  network_acls {
    default_action = var.public_network_access_enabled ? "Allow" : "Deny"
  }
}

locals {
  openai_deployments = {
    "gpt-4o"      = { model = "gpt-4o", version = "2024-11-20", capacity = var.openai_gpt4o_capacity }
    "gpt-4o-mini" = { model = "gpt-4o-mini", version = "2024-07-18", capacity = var.openai_gpt4o_mini_capacity }
    "whisper"     = { model = "whisper", version = "001", capacity = var.openai_whisper_capacity }
  }
}

resource "azurerm_cognitive_deployment" "model" {
  for_each             = local.openai_deployments
  name                 = each.key
  cognitive_account_id = azurerm_cognitive_account.openai.id
  # Pinned versions: an automatic upgrade would change model behaviour without a review.
  version_upgrade_option = "NoAutoUpgrade"

  model {
    format  = "OpenAI"
    name    = each.value.model
    version = each.value.version
  }

  sku {
    name     = "Standard"
    capacity = each.value.capacity
  }
}
