# Azure OpenAI: one account, local (key) auth off so only managed identities get in, private
# endpoint (networking.tf), and one deployment per role at the seed's TPM figures: chat (the
# seed's gpt-4o: chat, tool calling, label photos), chat_mini (the seed's gpt-4o-mini: summaries,
# classification) and transcribe (seed 002's Whisper). Each deployment is named after its model,
# and the app settings name the deployments from the same variables (app_service.tf).
#
# Models are per-environment variables because Microsoft retires them on a schedule: a GA
# version is open to new customers for 12 months after release and runs for existing ones about
# six more ("Model availability", learn.microsoft.com/azure/foundry/openai/concepts/model-retirements).
# The defaults were chosen on 2026-12-08 from Microsoft's retirement table (learn.microsoft.com/
# azure/foundry/openai/concepts/model-retirement-schedule, page updated 2026-09-02, source
# MicrosoftDocs/azure-ai-docs-pr@c0b1c983), which listed:
#   gpt-4o 2024-11-20 Legacy, retires 2027-04-14; gpt-4o-mini 2024-07-18 Deprecated, 2027-04-14;
#   whisper 001 GA, retires 2026-12-15 (no successor named);
#   gpt-5.5 2026-04-24 GA, retires 2027-10-26; gpt-5.4-mini 2026-03-17 GA, retires 2027-09-21;
#   gpt-4o-mini-transcribe 2025-12-15 GA, retires 2027-06-15.
# infrastructure/README.md ("Azure OpenAI models") keeps the table and when to revisit it.
# SKU: new models come to GlobalStandard first and regional Standard later or never, so the
# defaults deploy GlobalStandard; DataZoneStandard keeps processing in the EU data zone where
# the model is offered there (set it per environment with the model).
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
    chat = {
      name     = var.openai_chat_model.name
      version  = var.openai_chat_model.version
      sku      = var.openai_chat_model.sku
      capacity = var.openai_chat_capacity
    }
    chat_mini = {
      name     = var.openai_chat_mini_model.name
      version  = var.openai_chat_mini_model.version
      sku      = var.openai_chat_mini_model.sku
      capacity = var.openai_chat_mini_capacity
    }
    transcribe = {
      name     = var.openai_transcribe_model.name
      version  = var.openai_transcribe_model.version
      sku      = var.openai_transcribe_model.sku
      capacity = var.openai_transcribe_capacity
    }
  }
}

resource "azurerm_cognitive_deployment" "model" {
  for_each             = local.openai_deployments
  name                 = each.value.name
  cognitive_account_id = azurerm_cognitive_account.openai.id
  # Pinned versions: an automatic upgrade would change model behaviour without a review.
  version_upgrade_option = "NoAutoUpgrade"

  model {
    format  = "OpenAI"
    name    = each.value.name
    version = each.value.version
  }

  sku {
    name     = each.value.sku
    capacity = each.value.capacity
  }
}
