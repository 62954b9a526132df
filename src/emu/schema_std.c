/* schema_std.c - Salesforce's standard objects, in the org file's field format. */
#include "schema_std.h"

#include <stddef.h>

/*
 * The same field format as the org file's "customFields", so standard and
 * custom fields go through one parser. "owned": true adds OwnerId; every
 * object gets Id, IsDeleted and the audit fields. Objects marked "setup" are
 * views over sfemu's own tables (users, profiles, login history) and are
 * read-only through the REST API. One string per object keeps each literal
 * within the length ISO C promises to support.
 */
const char *const emu_schema_standard[] = {
	"{\"name\":\"Account\",\"label\":\"Account\",\"labelPlural\":\"Accounts\",\"keyPrefix\":\"001\",\"owned\":true,\"fields\":[\n"
	" {\"name\":\"Name\",\"label\":\"Account Name\",\"type\":\"Text\",\"length\":255,\"required\":true,\"idLookup\":true},\n"
	" {\"name\":\"Type\",\"label\":\"Account Type\",\"type\":\"Picklist\",\"values\":[\"Prospect\",\"Customer - Direct\",\"Customer - Channel\",\"Channel Partner / Reseller\",\"Installation Partner\",\"Technology Partner\",\"Other\"]},\n"
	" {\"name\":\"ParentId\",\"label\":\"Parent Account ID\",\"type\":\"Lookup\",\"referenceTo\":\"Account\",\"relationshipName\":\"Parent\"},\n"
	" {\"name\":\"AccountNumber\",\"label\":\"Account Number\",\"type\":\"Text\",\"length\":40},\n"
	" {\"name\":\"Site\",\"label\":\"Account Site\",\"type\":\"Text\",\"length\":80},\n"
	" {\"name\":\"BillingStreet\",\"label\":\"Billing Street\",\"type\":\"TextArea\",\"length\":255},\n"
	" {\"name\":\"BillingCity\",\"label\":\"Billing City\",\"type\":\"Text\",\"length\":40},\n"
	" {\"name\":\"BillingState\",\"label\":\"Billing State/Province\",\"type\":\"Text\",\"length\":80},\n"
	" {\"name\":\"BillingPostalCode\",\"label\":\"Billing Zip/Postal Code\",\"type\":\"Text\",\"length\":20},\n"
	" {\"name\":\"BillingCountry\",\"label\":\"Billing Country\",\"type\":\"Text\",\"length\":80},\n"
	" {\"name\":\"ShippingStreet\",\"label\":\"Shipping Street\",\"type\":\"TextArea\",\"length\":255},\n"
	" {\"name\":\"ShippingCity\",\"label\":\"Shipping City\",\"type\":\"Text\",\"length\":40},\n"
	" {\"name\":\"ShippingState\",\"label\":\"Shipping State/Province\",\"type\":\"Text\",\"length\":80},\n"
	" {\"name\":\"ShippingPostalCode\",\"label\":\"Shipping Zip/Postal Code\",\"type\":\"Text\",\"length\":20},\n"
	" {\"name\":\"ShippingCountry\",\"label\":\"Shipping Country\",\"type\":\"Text\",\"length\":80},\n"
	" {\"name\":\"Phone\",\"label\":\"Account Phone\",\"type\":\"Phone\",\"length\":40},\n"
	" {\"name\":\"Fax\",\"label\":\"Account Fax\",\"type\":\"Phone\",\"length\":40},\n"
	" {\"name\":\"Website\",\"label\":\"Website\",\"type\":\"Url\",\"length\":255},\n"
	" {\"name\":\"Industry\",\"label\":\"Industry\",\"type\":\"Picklist\",\"values\":[\"Agriculture\",\"Apparel\",\"Banking\",\"Biotechnology\",\"Chemicals\",\"Communications\",\"Construction\",\"Consulting\",\"Education\",\"Electronics\",\"Energy\",\"Engineering\",\"Entertainment\",\"Environmental\",\"Finance\",\"Food & Beverage\",\"Government\",\"Healthcare\",\"Hospitality\",\"Insurance\",\"Machinery\",\"Manufacturing\",\"Media\",\"Not For Profit\",\"Recreation\",\"Retail\",\"Shipping\",\"Technology\",\"Telecommunications\",\"Transportation\",\"Utilities\",\"Other\"]},\n"
	" {\"name\":\"AnnualRevenue\",\"label\":\"Annual Revenue\",\"type\":\"Currency\",\"precision\":18,\"scale\":0},\n"
	" {\"name\":\"NumberOfEmployees\",\"label\":\"Employees\",\"type\":\"Number\",\"precision\":8,\"scale\":0},\n"
	" {\"name\":\"Rating\",\"label\":\"Account Rating\",\"type\":\"Picklist\",\"values\":[\"Hot\",\"Warm\",\"Cold\"]},\n"
	" {\"name\":\"Description\",\"label\":\"Account Description\",\"type\":\"LongTextArea\",\"length\":32000}]}\n",
	"{\"name\":\"Contact\",\"label\":\"Contact\",\"labelPlural\":\"Contacts\",\"keyPrefix\":\"003\",\"owned\":true,\"fields\":[\n"
	" {\"name\":\"AccountId\",\"label\":\"Account ID\",\"type\":\"Lookup\",\"referenceTo\":\"Account\",\"relationshipName\":\"Account\"},\n"
	" {\"name\":\"LastName\",\"label\":\"Last Name\",\"type\":\"Text\",\"length\":80,\"required\":true},\n"
	" {\"name\":\"FirstName\",\"label\":\"First Name\",\"type\":\"Text\",\"length\":40},\n"
	" {\"name\":\"Salutation\",\"label\":\"Salutation\",\"type\":\"Picklist\",\"values\":[\"Mr.\",\"Ms.\",\"Mrs.\",\"Dr.\",\"Prof.\"]},\n"
	" {\"name\":\"Name\",\"label\":\"Full Name\",\"type\":\"Text\",\"length\":121,\"calculated\":true,\"idLookup\":true},\n"
	" {\"name\":\"Title\",\"label\":\"Title\",\"type\":\"Text\",\"length\":128},\n"
	" {\"name\":\"Department\",\"label\":\"Department\",\"type\":\"Text\",\"length\":80},\n"
	" {\"name\":\"Email\",\"label\":\"Email\",\"type\":\"Email\",\"length\":80,\"idLookup\":true},\n"
	" {\"name\":\"Phone\",\"label\":\"Business Phone\",\"type\":\"Phone\",\"length\":40},\n"
	" {\"name\":\"MobilePhone\",\"label\":\"Mobile Phone\",\"type\":\"Phone\",\"length\":40},\n"
	" {\"name\":\"MailingStreet\",\"label\":\"Mailing Street\",\"type\":\"TextArea\",\"length\":255},\n"
	" {\"name\":\"MailingCity\",\"label\":\"Mailing City\",\"type\":\"Text\",\"length\":40},\n"
	" {\"name\":\"MailingState\",\"label\":\"Mailing State/Province\",\"type\":\"Text\",\"length\":80},\n"
	" {\"name\":\"MailingPostalCode\",\"label\":\"Mailing Zip/Postal Code\",\"type\":\"Text\",\"length\":20},\n"
	" {\"name\":\"MailingCountry\",\"label\":\"Mailing Country\",\"type\":\"Text\",\"length\":80},\n"
	" {\"name\":\"LeadSource\",\"label\":\"Lead Source\",\"type\":\"Picklist\",\"values\":[\"Web\",\"Phone Inquiry\",\"Partner Referral\",\"Purchased List\",\"Other\"]},\n"
	" {\"name\":\"Birthdate\",\"label\":\"Birthdate\",\"type\":\"Date\"},\n"
	" {\"name\":\"Description\",\"label\":\"Contact Description\",\"type\":\"LongTextArea\",\"length\":32000}]}\n",
	"{\"name\":\"Lead\",\"label\":\"Lead\",\"labelPlural\":\"Leads\",\"keyPrefix\":\"00Q\",\"owned\":true,\"fields\":[\n"
	" {\"name\":\"LastName\",\"label\":\"Last Name\",\"type\":\"Text\",\"length\":80,\"required\":true},\n"
	" {\"name\":\"FirstName\",\"label\":\"First Name\",\"type\":\"Text\",\"length\":40},\n"
	" {\"name\":\"Salutation\",\"label\":\"Salutation\",\"type\":\"Picklist\",\"values\":[\"Mr.\",\"Ms.\",\"Mrs.\",\"Dr.\",\"Prof.\"]},\n"
	" {\"name\":\"Name\",\"label\":\"Full Name\",\"type\":\"Text\",\"length\":121,\"calculated\":true,\"idLookup\":true},\n"
	" {\"name\":\"Company\",\"label\":\"Company\",\"type\":\"Text\",\"length\":255,\"required\":true},\n"
	" {\"name\":\"Title\",\"label\":\"Title\",\"type\":\"Text\",\"length\":128},\n"
	" {\"name\":\"Email\",\"label\":\"Email\",\"type\":\"Email\",\"length\":80,\"idLookup\":true},\n"
	" {\"name\":\"Phone\",\"label\":\"Phone\",\"type\":\"Phone\",\"length\":40},\n"
	" {\"name\":\"Website\",\"label\":\"Website\",\"type\":\"Url\",\"length\":255},\n"
	" {\"name\":\"Street\",\"label\":\"Street\",\"type\":\"TextArea\",\"length\":255},\n"
	" {\"name\":\"City\",\"label\":\"City\",\"type\":\"Text\",\"length\":40},\n"
	" {\"name\":\"State\",\"label\":\"State/Province\",\"type\":\"Text\",\"length\":80},\n"
	" {\"name\":\"PostalCode\",\"label\":\"Zip/Postal Code\",\"type\":\"Text\",\"length\":20},\n"
	" {\"name\":\"Country\",\"label\":\"Country\",\"type\":\"Text\",\"length\":80},\n"
	" {\"name\":\"Status\",\"label\":\"Status\",\"type\":\"Picklist\",\"required\":true,\"default\":\"Open - Not Contacted\",\"values\":[\"Open - Not Contacted\",\"Working - Contacted\",\"Closed - Converted\",\"Closed - Not Converted\"]},\n"
	" {\"name\":\"LeadSource\",\"label\":\"Lead Source\",\"type\":\"Picklist\",\"values\":[\"Web\",\"Phone Inquiry\",\"Partner Referral\",\"Purchased List\",\"Other\"]},\n"
	" {\"name\":\"Industry\",\"label\":\"Industry\",\"type\":\"Picklist\",\"values\":[\"Agriculture\",\"Banking\",\"Consulting\",\"Education\",\"Energy\",\"Finance\",\"Government\",\"Healthcare\",\"Manufacturing\",\"Media\",\"Retail\",\"Technology\",\"Telecommunications\",\"Other\"]},\n"
	" {\"name\":\"Rating\",\"label\":\"Rating\",\"type\":\"Picklist\",\"values\":[\"Hot\",\"Warm\",\"Cold\"]},\n"
	" {\"name\":\"AnnualRevenue\",\"label\":\"Annual Revenue\",\"type\":\"Currency\",\"precision\":18,\"scale\":0},\n"
	" {\"name\":\"NumberOfEmployees\",\"label\":\"Employees\",\"type\":\"Number\",\"precision\":8,\"scale\":0},\n"
	" {\"name\":\"Description\",\"label\":\"Description\",\"type\":\"LongTextArea\",\"length\":32000},\n"
	" {\"name\":\"IsConverted\",\"label\":\"Converted\",\"type\":\"Checkbox\",\"default\":\"false\",\"updateable\":false},\n"
	" {\"name\":\"ConvertedDate\",\"label\":\"Converted Date\",\"type\":\"Date\",\"createable\":false,\"updateable\":false},\n"
	" {\"name\":\"ConvertedAccountId\",\"label\":\"Converted Account ID\",\"type\":\"Lookup\",\"referenceTo\":\"Account\",\"relationshipName\":\"ConvertedAccount\",\"createable\":false,\"updateable\":false},\n"
	" {\"name\":\"ConvertedContactId\",\"label\":\"Converted Contact ID\",\"type\":\"Lookup\",\"referenceTo\":\"Contact\",\"relationshipName\":\"ConvertedContact\",\"createable\":false,\"updateable\":false},\n"
	" {\"name\":\"ConvertedOpportunityId\",\"label\":\"Converted Opportunity ID\",\"type\":\"Lookup\",\"referenceTo\":\"Opportunity\",\"relationshipName\":\"ConvertedOpportunity\",\"createable\":false,\"updateable\":false}]}\n",
	"{\"name\":\"Opportunity\",\"label\":\"Opportunity\",\"labelPlural\":\"Opportunities\",\"keyPrefix\":\"006\",\"owned\":true,\"fields\":[\n"
	" {\"name\":\"Name\",\"label\":\"Name\",\"type\":\"Text\",\"length\":120,\"required\":true},\n"
	" {\"name\":\"AccountId\",\"label\":\"Account ID\",\"type\":\"Lookup\",\"referenceTo\":\"Account\",\"relationshipName\":\"Account\"},\n"
	" {\"name\":\"StageName\",\"label\":\"Stage\",\"type\":\"Picklist\",\"required\":true,\"values\":[\"Prospecting\",\"Qualification\",\"Needs Analysis\",\"Value Proposition\",\"Id. Decision Makers\",\"Perception Analysis\",\"Proposal/Price Quote\",\"Negotiation/Review\",\"Closed Won\",\"Closed Lost\"]},\n"
	" {\"name\":\"CloseDate\",\"label\":\"Close Date\",\"type\":\"Date\",\"required\":true},\n"
	" {\"name\":\"Amount\",\"label\":\"Amount\",\"type\":\"Currency\",\"precision\":18,\"scale\":2},\n"
	" {\"name\":\"Probability\",\"label\":\"Probability (%)\",\"type\":\"Percent\",\"precision\":3,\"scale\":0},\n"
	" {\"name\":\"Type\",\"label\":\"Opportunity Type\",\"type\":\"Picklist\",\"values\":[\"Existing Customer - Upgrade\",\"Existing Customer - Replacement\",\"Existing Customer - Downgrade\",\"New Customer\"]},\n"
	" {\"name\":\"LeadSource\",\"label\":\"Lead Source\",\"type\":\"Picklist\",\"values\":[\"Web\",\"Phone Inquiry\",\"Partner Referral\",\"Purchased List\",\"Other\"]},\n"
	" {\"name\":\"NextStep\",\"label\":\"Next Step\",\"type\":\"Text\",\"length\":255},\n"
	" {\"name\":\"Description\",\"label\":\"Description\",\"type\":\"LongTextArea\",\"length\":32000},\n"
	" {\"name\":\"IsClosed\",\"label\":\"Closed\",\"type\":\"Checkbox\",\"calculated\":true},\n"
	" {\"name\":\"IsWon\",\"label\":\"Won\",\"type\":\"Checkbox\",\"calculated\":true}]}\n",
	"{\"name\":\"RecordType\",\"label\":\"Record Type\",\"labelPlural\":\"Record Types\",\"keyPrefix\":\"012\",\"fields\":[\n"
	" {\"name\":\"Name\",\"label\":\"Record Type Label\",\"type\":\"Text\",\"length\":80,\"required\":true},\n"
	" {\"name\":\"DeveloperName\",\"label\":\"Record Type Name\",\"type\":\"Text\",\"length\":80,\"required\":true},\n"
	" {\"name\":\"SobjectType\",\"label\":\"SObject Type Name\",\"type\":\"Text\",\"length\":40,\"required\":true},\n"
	" {\"name\":\"IsActive\",\"label\":\"Active\",\"type\":\"Checkbox\",\"default\":\"true\"},\n"
	" {\"name\":\"Description\",\"label\":\"Description\",\"type\":\"Text\",\"length\":255}]}\n",
	"{\"name\":\"User\",\"label\":\"User\",\"labelPlural\":\"Users\",\"keyPrefix\":\"005\",\"setup\":true,\"fields\":[\n"
	" {\"name\":\"Username\",\"label\":\"Username\",\"type\":\"Text\",\"length\":80,\"required\":true,\"unique\":true,\"idLookup\":true},\n"
	" {\"name\":\"Email\",\"label\":\"Email\",\"type\":\"Email\",\"length\":128,\"required\":true},\n"
	" {\"name\":\"FirstName\",\"label\":\"First Name\",\"type\":\"Text\",\"length\":40},\n"
	" {\"name\":\"LastName\",\"label\":\"Last Name\",\"type\":\"Text\",\"length\":80,\"required\":true},\n"
	" {\"name\":\"Name\",\"label\":\"Full Name\",\"type\":\"Text\",\"length\":121,\"calculated\":true},\n"
	" {\"name\":\"IsActive\",\"label\":\"Active\",\"type\":\"Checkbox\"},\n"
	" {\"name\":\"ProfileId\",\"label\":\"Profile ID\",\"type\":\"Lookup\",\"referenceTo\":\"Profile\",\"relationshipName\":\"Profile\",\"required\":true},\n"
	" {\"name\":\"UserType\",\"label\":\"User Type\",\"type\":\"Picklist\",\"values\":[\"Standard\",\"PowerPartner\",\"CsnOnly\",\"Guest\"]},\n"
	" {\"name\":\"TimeZoneSidKey\",\"label\":\"Time Zone\",\"type\":\"Text\",\"length\":40},\n"
	" {\"name\":\"LastLoginDate\",\"label\":\"Last Login\",\"type\":\"DateTime\"}]}\n",
	"{\"name\":\"Profile\",\"label\":\"Profile\",\"labelPlural\":\"Profiles\",\"keyPrefix\":\"00e\",\"setup\":true,\"permissions\":true,\"fields\":[\n"
	" {\"name\":\"Name\",\"label\":\"Name\",\"type\":\"Text\",\"length\":255,\"required\":true},\n"
	" {\"name\":\"UserType\",\"label\":\"User Type\",\"type\":\"Text\",\"length\":40},\n"
	" {\"name\":\"UserLicenseName\",\"label\":\"User License\",\"type\":\"Text\",\"length\":40}]}\n",
	"{\"name\":\"PermissionSet\",\"label\":\"Permission Set\",\"labelPlural\":\"Permission Sets\",\"keyPrefix\":\"0PS\",\"setup\":true,\"permissions\":true,\"fields\":[\n"
	" {\"name\":\"Name\",\"label\":\"Name\",\"type\":\"Text\",\"length\":80,\"required\":true},\n"
	" {\"name\":\"Label\",\"label\":\"Label\",\"type\":\"Text\",\"length\":80},\n"
	" {\"name\":\"IsOwnedByProfile\",\"label\":\"Is Owned By Profile\",\"type\":\"Checkbox\"},\n"
	" {\"name\":\"ProfileId\",\"label\":\"Profile ID\",\"type\":\"Lookup\",\"referenceTo\":\"Profile\",\"relationshipName\":\"Profile\"}]}\n",
	"{\"name\":\"PermissionSetAssignment\",\"label\":\"Permission Set Assignment\",\"labelPlural\":\"Permission Set Assignments\",\"keyPrefix\":\"0Pa\",\"setup\":true,\"fields\":[\n"
	" {\"name\":\"AssigneeId\",\"label\":\"Assignee ID\",\"type\":\"Lookup\",\"referenceTo\":\"User\",\"relationshipName\":\"Assignee\",\"required\":true},\n"
	" {\"name\":\"PermissionSetId\",\"label\":\"Permission Set ID\",\"type\":\"Lookup\",\"referenceTo\":\"PermissionSet\",\"relationshipName\":\"PermissionSet\",\"required\":true},\n"
	" {\"name\":\"IsActive\",\"label\":\"Is Active\",\"type\":\"Checkbox\"}]}\n",
	"{\"name\":\"UserLogin\",\"label\":\"User Login\",\"labelPlural\":\"User Logins\",\"keyPrefix\":\"060\",\"setup\":true,\"fields\":[\n"
	" {\"name\":\"UserId\",\"label\":\"User ID\",\"type\":\"Lookup\",\"referenceTo\":\"User\",\"relationshipName\":\"User\",\"updateable\":false},\n"
	" {\"name\":\"IsFrozen\",\"label\":\"Is Frozen\",\"type\":\"Checkbox\"},\n"
	" {\"name\":\"IsPasswordLocked\",\"label\":\"Is Password Locked\",\"type\":\"Checkbox\"}]}\n",
	"{\"name\":\"LoginHistory\",\"label\":\"Login History\",\"labelPlural\":\"Login History\",\"keyPrefix\":\"0Ya\",\"setup\":true,\"fields\":[\n"
	" {\"name\":\"UserId\",\"label\":\"User ID\",\"type\":\"Lookup\",\"referenceTo\":\"User\",\"relationshipName\":\"User\"},\n"
	" {\"name\":\"LoginTime\",\"label\":\"Login Time\",\"type\":\"DateTime\"},\n"
	" {\"name\":\"SourceIp\",\"label\":\"Source IP\",\"type\":\"Text\",\"length\":39},\n"
	" {\"name\":\"LoginType\",\"label\":\"Login Type\",\"type\":\"Text\",\"length\":40},\n"
	" {\"name\":\"Status\",\"label\":\"Status\",\"type\":\"Text\",\"length\":128},\n"
	" {\"name\":\"Application\",\"label\":\"Application\",\"type\":\"Text\",\"length\":64},\n"
	" {\"name\":\"ApiType\",\"label\":\"API Type\",\"type\":\"Text\",\"length\":40},\n"
	" {\"name\":\"ApiVersion\",\"label\":\"API Version\",\"type\":\"Text\",\"length\":10},\n"
	" {\"name\":\"LoginUrl\",\"label\":\"Login URL\",\"type\":\"Text\",\"length\":255}]}\n",
	"{\"name\":\"LoginIpRange\",\"label\":\"Login IP Range\",\"labelPlural\":\"Login IP Ranges\",\"keyPrefix\":\"0Ip\",\"setup\":true,\"fields\":[\n"
	" {\"name\":\"ProfileId\",\"label\":\"Profile ID\",\"type\":\"Lookup\",\"referenceTo\":\"Profile\",\"relationshipName\":\"Profile\"},\n"
	" {\"name\":\"StartAddress\",\"label\":\"Start IP Address\",\"type\":\"Text\",\"length\":39},\n"
	" {\"name\":\"EndAddress\",\"label\":\"End IP Address\",\"type\":\"Text\",\"length\":39},\n"
	" {\"name\":\"Description\",\"label\":\"Description\",\"type\":\"Text\",\"length\":255}]}\n",
	"{\"name\":\"Organization\",\"label\":\"Organization\",\"labelPlural\":\"Organizations\",\"keyPrefix\":\"00D\",\"setup\":true,\"fields\":[\n"
	" {\"name\":\"Name\",\"label\":\"Name\",\"type\":\"Text\",\"length\":80},\n"
	" {\"name\":\"OrganizationType\",\"label\":\"Edition\",\"type\":\"Text\",\"length\":40},\n"
	" {\"name\":\"IsSandbox\",\"label\":\"Is Sandbox\",\"type\":\"Checkbox\"},\n"
	" {\"name\":\"InstanceName\",\"label\":\"Instance Name\",\"type\":\"Text\",\"length\":5},\n"
	" {\"name\":\"NamespacePrefix\",\"label\":\"Namespace Prefix\",\"type\":\"Text\",\"length\":15},\n"
	" {\"name\":\"TrialExpirationDate\",\"label\":\"Trial Expiration Date\",\"type\":\"DateTime\"},\n"
	" {\"name\":\"TimeZoneSidKey\",\"label\":\"Default Time Zone\",\"type\":\"Text\",\"length\":40},\n"
	" {\"name\":\"MyDomain\",\"label\":\"My Domain\",\"type\":\"Text\",\"length\":40}]}\n",
	NULL};

/* Permission fields of Profile and PermissionSet (the "permissions": true objects). */
const char *const emu_schema_permissions[] = {
	"ApiEnabled", "ModifyAllData", "ViewAllData", "CustomizeApplication",
	"ManageProfilesPermissionsets", "ViewSetup", "ManageUsers",
	"PasswordNeverExpires", "UseAnyApiAuth", "ApiUserOnly", NULL};
