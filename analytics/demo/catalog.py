"""The fictional demo company's fixed cast: cost centers, vendors, contracts, spend streams.

Everything random (dates, terms, amounts) is drawn in the other demo modules from a seeded
generator; this module only says who the company buys what from. Amounts are in the
contract's or stream's own currency.
"""
from __future__ import annotations

from dataclasses import dataclass

COMPANY_NAME = "Cascadia Freight & Logistics"
CURRENCIES = ("USD", "EUR", "GBP", "CHF", "SEK")
# units of USD per unit of the currency at the start of the demo's first month
FX_START = {"EUR": 1.085, "GBP": 1.265, "CHF": 1.115, "SEK": 0.0945}

COST_CENTERS = (
    "Infrastructure", "End User Services", "Enterprise Applications", "ERP & Finance Systems",
    "Data & Analytics", "Cyber Security", "Network & Telecom", "Service Desk", "Digital Channels",
    "Cloud Platform", "IT Management", "EMEA Operations",
)

# TBM v5 cost pools, the default categories
CATEGORIES = ("Staffing", "Hardware", "Software", "Cloud Services", "Outside Services",
              "Facilities & Power", "Telecom", "Other", "Internal Services")

GL_ACCOUNTS = {"Staffing": "6100", "Hardware": "6200", "Software": "6300", "Cloud Services": "6350",
               "Outside Services": "6400", "Facilities & Power": "6500", "Telecom": "6600",
               "Other": "6900", "Internal Services": "6950"}
CAPEX_GL_ACCOUNT = "1610"

PROJECTS = {
    "PRJ-S4": "S/4HANA upgrade",
    "PRJ-DCEXIT": "Data centre exit to cloud",
    "PRJ-LAPTOP": "Laptop refresh",
    "PRJ-SDWAN": "SD-WAN rollout",
}

OWNERS = ("A. Novak", "B. Okafor", "C. Lindqvist", "D. Moreau", "E. Tanaka", "F. Brennan", "G. Rossi",
          "H. Schmidt", "I. Patel", "J. Smith")


@dataclass(frozen=True)
class ContractSpec:
    vendor: str
    service: str
    category: str
    cost_center: str
    annual_value: int
    currency: str
    billing: str               # monthly, quarterly, annual
    sla: str | None = None     # None, "avail", "ticket" or "both"
    split: tuple[str, ...] = ()  # further cost centers sharing the invoice


C = ContractSpec
CONTRACTS: tuple[ContractSpec, ...] = (
    C("Microsoft Ireland Operations Ltd", "Microsoft 365 E3 (1,800 seats)", "Software", "End User Services", 745000, "EUR", "annual", "avail", ("Service Desk", "IT Management")),
    C("Microsoft Ireland Operations Ltd", "Azure consumption commitment", "Cloud Services", "Cloud Platform", 1200000, "EUR", "monthly", "avail"),
    C("Microsoft Ireland Operations Ltd", "Microsoft Unified Support", "Outside Services", "Infrastructure", 180000, "EUR", "quarterly", "ticket"),
    C("Microsoft Ireland Operations Ltd", "Dynamics 365 Finance", "Software", "ERP & Finance Systems", 210000, "EUR", "annual", "avail"),
    C("Amazon Web Services EMEA SARL", "AWS Enterprise Discount Program", "Cloud Services", "Cloud Platform", 2400000, "USD", "monthly", "avail"),
    C("Amazon Web Services EMEA SARL", "AWS Enterprise Support", "Outside Services", "Cloud Platform", 240000, "USD", "monthly", "ticket"),
    C("Google Cloud EMEA Ltd", "Google Cloud committed use (BigQuery, GKE)", "Cloud Services", "Data & Analytics", 480000, "USD", "monthly", "avail"),
    C("Oracle Corporation", "Oracle Database EE support", "Software", "ERP & Finance Systems", 390000, "USD", "annual"),
    C("Oracle Corporation", "Oracle Cloud Infrastructure", "Cloud Services", "Infrastructure", 150000, "USD", "monthly", "avail"),
    C("SAP SE", "SAP S/4HANA licences and maintenance", "Software", "ERP & Finance Systems", 620000, "EUR", "annual"),
    C("SAP SE", "SAP Ariba procurement", "Software", "ERP & Finance Systems", 140000, "EUR", "annual", "avail"),
    C("SAP SE", "SAP Enterprise Support", "Outside Services", "ERP & Finance Systems", 95000, "EUR", "quarterly", "ticket"),
    C("Salesforce Inc", "Sales Cloud Enterprise (450 users)", "Software", "Enterprise Applications", 810000, "USD", "annual", "avail", ("Digital Channels",)),
    C("Salesforce Inc", "Service Cloud", "Software", "Digital Channels", 260000, "USD", "annual", "avail"),
    C("Salesforce Inc", "Slack Enterprise Grid", "Software", "End User Services", 118000, "USD", "annual", "avail"),
    C("ServiceNow Inc", "ServiceNow ITSM Pro", "Software", "Service Desk", 340000, "USD", "annual", "avail"),
    C("ServiceNow Inc", "ServiceNow ITOM", "Software", "Infrastructure", 150000, "USD", "annual", "avail"),
    C("Atlassian", "Jira Software and Confluence Cloud", "Software", "Digital Channels", 96000, "USD", "annual", "avail"),
    C("Atlassian", "Jira Service Management", "Software", "Service Desk", 54000, "USD", "annual"),
    C("Cisco Systems", "Cisco Smart Net Total Care", "Hardware", "Network & Telecom", 185000, "USD", "annual", "ticket"),
    C("Cisco Systems", "Webex Suite", "Software", "End User Services", 72000, "USD", "annual", "avail"),
    C("Cisco Systems", "Meraki licences", "Hardware", "Network & Telecom", 66000, "USD", "annual"),
    C("Dell Technologies", "ProSupport Plus for laptops", "Hardware", "End User Services", 120000, "USD", "quarterly", "ticket"),
    C("Dell Technologies", "PowerEdge server maintenance", "Hardware", "Infrastructure", 88000, "USD", "annual", "ticket"),
    C("HP Inc", "Managed print services", "Hardware", "End User Services", 140000, "USD", "monthly", "ticket"),
    C("Lenovo", "ThinkPad lease programme", "Hardware", "End User Services", 420000, "USD", "quarterly"),
    C("Hewlett Packard Enterprise", "HPE GreenLake storage", "Hardware", "Infrastructure", 310000, "USD", "monthly", "avail"),
    C("NetApp", "ONTAP support and Cloud Volumes", "Hardware", "Infrastructure", 97000, "USD", "annual", "ticket"),
    C("Pure Storage", "Evergreen//One subscription", "Hardware", "Infrastructure", 205000, "USD", "quarterly", "avail"),
    C("Accenture", "ERP application management", "Outside Services", "ERP & Finance Systems", 1450000, "EUR", "monthly", "ticket"),
    C("Accenture", "Data platform build (SOW 7)", "Outside Services", "Data & Analytics", 380000, "EUR", "monthly"),
    C("Capgemini", "Infrastructure managed services", "Outside Services", "Infrastructure", 1800000, "EUR", "monthly", "both"),
    C("Capgemini", "Testing centre of excellence", "Outside Services", "Enterprise Applications", 290000, "EUR", "monthly"),
    C("Infosys", "Application support (offshore)", "Outside Services", "Enterprise Applications", 640000, "USD", "monthly", "ticket"),
    C("Tata Consultancy Services", "Service desk outsourcing", "Outside Services", "Service Desk", 980000, "USD", "monthly", "ticket"),
    C("IBM", "Mainframe hosting", "Outside Services", "Infrastructure", 720000, "USD", "monthly", "both"),
    C("IBM", "QRadar SIEM licences", "Software", "Cyber Security", 130000, "USD", "annual"),
    C("Wipro", "Salesforce development team", "Outside Services", "Digital Channels", 350000, "USD", "monthly"),
    C("Vodafone", "Mobile voice and data (2,100 lines)", "Telecom", "Network & Telecom", 520000, "GBP", "monthly", "avail"),
    C("Vodafone", "IoT connectivity for fleet trackers", "Telecom", "Network & Telecom", 60000, "GBP", "monthly"),
    C("BT Group", "SD-WAN managed network", "Telecom", "Network & Telecom", 690000, "GBP", "monthly", "both"),
    C("BT Group", "SIP trunking", "Telecom", "Network & Telecom", 84000, "GBP", "monthly", "avail"),
    C("Verizon Business", "MPLS Americas", "Telecom", "Network & Telecom", 410000, "USD", "monthly", "avail"),
    C("Colt Technology Services", "Dark fibre Frankfurt-Amsterdam", "Telecom", "Network & Telecom", 150000, "EUR", "quarterly", "avail"),
    C("Telia Company", "Nordic mobile and broadband", "Telecom", "EMEA Operations", 1400000, "SEK", "monthly", "avail"),
    C("Swisscom", "Enterprise connectivity Zurich", "Telecom", "EMEA Operations", 95000, "CHF", "monthly", "avail"),
    C("Equinix", "Colocation LD8 (12 cabinets)", "Facilities & Power", "Infrastructure", 430000, "USD", "monthly", "avail"),
    C("Equinix", "Colocation AM3 (6 cabinets)", "Facilities & Power", "Infrastructure", 240000, "EUR", "monthly", "avail"),
    C("Digital Realty", "Colocation Dallas DFW10", "Facilities & Power", "Infrastructure", 285000, "USD", "monthly", "avail"),
    C("Schneider Electric", "UPS and cooling maintenance", "Facilities & Power", "Infrastructure", 64000, "USD", "annual", "ticket"),
    C("Iron Mountain", "Tape vaulting and secure shredding", "Facilities & Power", "IT Management", 38000, "USD", "quarterly"),
    C("Adobe", "Creative Cloud for teams", "Software", "Digital Channels", 86000, "USD", "annual"),
    C("Adobe", "Acrobat Pro", "Software", "End User Services", 61000, "USD", "annual"),
    C("Okta", "Workforce Identity Cloud", "Software", "Cyber Security", 175000, "USD", "annual", "avail"),
    C("CrowdStrike", "Falcon Insight XDR", "Software", "Cyber Security", 265000, "USD", "annual", "avail"),
    C("Palo Alto Networks", "Prisma Access", "Software", "Cyber Security", 230000, "USD", "annual", "avail"),
    C("Fortinet", "FortiGate support", "Hardware", "Cyber Security", 58000, "USD", "annual", "ticket"),
    C("Zscaler", "Zscaler Internet Access", "Software", "Cyber Security", 198000, "USD", "annual", "avail"),
    C("Splunk", "Splunk Cloud (200 GB/day)", "Software", "Cyber Security", 410000, "USD", "annual", "avail"),
    C("Datadog", "Infrastructure and APM monitoring", "Software", "Cloud Platform", 220000, "USD", "monthly", "avail"),
    C("Snowflake", "Snowflake capacity contract", "Cloud Services", "Data & Analytics", 360000, "USD", "quarterly", "avail"),
    C("Databricks", "Databricks committed units", "Cloud Services", "Data & Analytics", 270000, "USD", "quarterly", "avail"),
    C("Broadcom (VMware)", "VMware Cloud Foundation", "Software", "Infrastructure", 540000, "USD", "annual"),
    C("Red Hat", "RHEL and OpenShift subscriptions", "Software", "Infrastructure", 176000, "USD", "annual", "ticket"),
    C("GitHub", "GitHub Enterprise (600 seats)", "Software", "Digital Channels", 151000, "USD", "annual", "avail"),
    C("JetBrains", "All Products Pack", "Software", "Digital Channels", 42000, "EUR", "annual"),
    C("Zoom Video Communications", "Zoom Workplace", "Software", "End User Services", 78000, "USD", "annual", "avail"),
    C("DocuSign", "eSignature Business Pro", "Software", "Enterprise Applications", 46000, "USD", "annual"),
    C("Workday", "Workday HCM", "Software", "Enterprise Applications", 560000, "USD", "annual", "avail"),
    C("Miro", "Miro Business", "Software", "Digital Channels", 24000, "USD", "annual"),
    C("Gartner", "Research for IT leaders", "Other", "IT Management", 92000, "USD", "annual"),
    C("Hays", "Contractor framework UK", "Staffing", "EMEA Operations", 420000, "GBP", "monthly"),
    C("Randstad", "Contractor framework EU", "Staffing", "Enterprise Applications", 360000, "EUR", "monthly"),
    C("Robert Half", "IT contractors US", "Staffing", "Infrastructure", 510000, "USD", "monthly"),
    C("Computacenter", "Desktop deployment services", "Outside Services", "End User Services", 230000, "GBP", "monthly", "ticket"),
    C("Softcat", "Microsoft licensing partner fees", "Outside Services", "IT Management", 36000, "GBP", "annual"),
    C("Bechtle", "Hardware logistics and imaging", "Outside Services", "EMEA Operations", 115000, "EUR", "quarterly"),
    C("Atea", "Nordic end-user support", "Outside Services", "EMEA Operations", 2900000, "SEK", "monthly", "ticket"),
    C("Nordlicht IT Consulting GmbH", "Cloud migration engineering", "Outside Services", "Cloud Platform", 310000, "EUR", "monthly"),
    C("Alpine Data Services AG", "Zurich data-centre remote hands", "Outside Services", "EMEA Operations", 84000, "CHF", "monthly", "ticket"),
    C("Kestrel Security Consulting Ltd", "Penetration testing retainer", "Outside Services", "Cyber Security", 72000, "GBP", "quarterly"),
    C("Harbour Cabling Ltd", "Structured cabling framework", "Outside Services", "Network & Telecom", 48000, "GBP", "quarterly"),
    C("Fjord Networks AB", "Wi-Fi support Gothenburg", "Outside Services", "EMEA Operations", 520000, "SEK", "quarterly", "ticket"),
    C("Bluewater AV Solutions", "Meeting room AV support", "Outside Services", "End User Services", 41000, "USD", "quarterly", "ticket"),
    C("Zayo Group", "Wavelength Chicago-Dallas", "Telecom", "Network & Telecom", 132000, "USD", "monthly", "avail"),
    C("Mimecast", "Email security", "Software", "Cyber Security", 67000, "GBP", "annual", "avail"),
    C("Veeam Software", "Backup for Microsoft 365 and VMs", "Software", "Infrastructure", 83000, "USD", "annual"),
    C("Twilio", "Messaging API committed spend", "Cloud Services", "Digital Channels", 120000, "USD", "monthly", "avail"),
)


@dataclass(frozen=True)
class StreamSpec:
    """A flow of non-contract (or usage) spend lines: payroll, purchases, usage, recharges."""
    vendor: str
    cost_center: str
    category: str
    currency: str
    monthly: float             # expected monthly amount at the start of the demo
    lines: float               # expected lines per month at scale 1
    description: str
    growth: float = 0.03       # per year
    season: str = "flat"       # flat, yearend, services, payroll
    invoice: str = "lines"     # lines (1-4 lines per invoice), monthly (one invoice a month), none
    capex: bool = False
    project: str | None = None
    contract: str | None = None  # service name of the contract it is billed under
    items: tuple[str, ...] = ()
    window: tuple[int, int] | None = None  # active months (offsets from the first demo month), end exclusive


S = StreamSpec
STREAMS: tuple[StreamSpec, ...] = (
    # payroll: one line per cost center and month, no invoice
    *(S("Payroll (internal)", cc, "Staffing", "EUR" if cc == "EMEA Operations" else "USD", pay, 1, "IT staff salaries and benefits",
        growth=0.04, season="payroll", invoice="none")
      for cc, pay in (("Infrastructure", 310000), ("End User Services", 240000), ("Enterprise Applications", 380000),
                      ("ERP & Finance Systems", 260000), ("Data & Analytics", 290000), ("Cyber Security", 270000),
                      ("Network & Telecom", 180000), ("Service Desk", 330000), ("Digital Channels", 350000),
                      ("Cloud Platform", 230000), ("IT Management", 210000), ("EMEA Operations", 190000))),
    # on-demand cloud usage beyond the commitments, many line items on one monthly invoice, billed
    # outside the commitment contracts (so it never reads as spend above their value)
    S("Amazon Web Services EMEA SARL", "Cloud Platform", "Cloud Services", "USD", 95000, 320, "AWS usage", growth=0.30,
      invoice="monthly",
      items=("EC2 compute", "S3 storage", "RDS", "Data transfer", "CloudWatch", "EKS", "Lambda", "DynamoDB")),
    S("Microsoft Ireland Operations Ltd", "Cloud Platform", "Cloud Services", "EUR", 52000, 200, "Azure usage", growth=0.22,
      invoice="monthly",
      items=("Virtual machines", "Blob storage", "Azure SQL", "Bandwidth", "AKS", "Azure Monitor")),
    S("Google Cloud EMEA Ltd", "Data & Analytics", "Cloud Services", "USD", 21000, 110, "Google Cloud usage", growth=0.18,
      invoice="monthly", items=("BigQuery analysis", "Cloud Storage", "GKE", "Vertex AI", "Networking")),
    S("Amazon Web Services EMEA SARL", "Cloud Platform", "Cloud Services", "USD", 38000, 60, "AWS migration landing zone",
      growth=0.0, invoice="monthly", project="PRJ-DCEXIT", items=("EC2 compute", "Migration Hub", "Data transfer"),
      window=(10, 30)),
    # hardware purchases, capex, with year-end buying
    S("Dell Technologies", "End User Services", "Hardware", "USD", 42000, 45, "Laptops and docks", growth=0.02,
      season="yearend", capex=True, items=("Latitude 7450", "Precision 5690", "WD22TB4 dock", "P2725H monitor")),
    S("Lenovo", "End User Services", "Hardware", "USD", 30000, 30, "ThinkPad purchases", season="yearend", capex=True,
      items=("ThinkPad T14", "ThinkPad X1 Carbon", "ThinkVision monitor")),
    S("Lenovo", "End User Services", "Hardware", "USD", 85000, 40, "Laptop refresh wave", growth=0.0, capex=True,
      project="PRJ-LAPTOP", items=("ThinkPad T14 Gen 5", "Imaging and deployment"), window=(14, 26)),
    S("HP Inc", "EMEA Operations", "Hardware", "EUR", 14000, 20, "Desktops and printers", season="yearend", capex=True,
      items=("EliteDesk 800", "LaserJet Enterprise", "Toner")),
    S("Cisco Systems", "Network & Telecom", "Hardware", "USD", 36000, 18, "Network equipment", season="yearend", capex=True,
      items=("Catalyst 9300 switch", "Meraki MR57 access point", "SFP modules")),
    S("Cisco Systems", "Network & Telecom", "Hardware", "USD", 60000, 16, "SD-WAN edge routers", growth=0.0, capex=True,
      project="PRJ-SDWAN", items=("Catalyst 8300 edge", "Installation kit"), window=(6, 24)),
    S("Hewlett Packard Enterprise", "Infrastructure", "Hardware", "USD", 26000, 8, "Servers and storage", season="yearend",
      capex=True, items=("ProLiant DL380", "Alletra storage", "Memory upgrade")),
    S("CDW", "End User Services", "Hardware", "USD", 9000, 60, "Peripherals and accessories", season="yearend",
      items=("Headsets", "Keyboards and mice", "USB-C cables", "Webcams")),
    S("Apple Distribution International", "Digital Channels", "Hardware", "EUR", 11000, 10, "MacBooks for developers",
      season="yearend", capex=True, items=("MacBook Pro 14", "MacBook Air 13")),
    # outside services: time and materials, projects
    S("Accenture", "ERP & Finance Systems", "Outside Services", "EUR", 120000, 35, "S/4HANA upgrade consulting", growth=0.0,
      season="services", project="PRJ-S4", items=("Functional consulting", "Data migration", "Testing"), window=(8, 40)),
    S("Capgemini", "Cloud Platform", "Outside Services", "EUR", 70000, 25, "Migration factory", growth=0.0, season="services",
      project="PRJ-DCEXIT", items=("Wave planning", "Application migration", "Cutover support"), window=(10, 32)),
    S("Harbour Cabling Ltd", "Network & Telecom", "Outside Services", "GBP", 9000, 8, "Branch cabling for SD-WAN",
      growth=0.0, project="PRJ-SDWAN", window=(6, 24)),
    S("Deloitte", "IT Management", "Outside Services", "USD", 25000, 6, "IT operating model review", growth=0.0,
      season="services", window=(20, 29)),
    S("Kestrel Security Consulting Ltd", "Cyber Security", "Outside Services", "GBP", 6000, 4, "Incident response hours",
      season="services"),
    # telecom usage
    S("Vodafone", "Network & Telecom", "Telecom", "GBP", 11000, 60, "Roaming and overage charges", growth=0.05,
      invoice="monthly", items=("Roaming data", "International calls", "Overage")),
    S("Verizon Business", "Network & Telecom", "Telecom", "USD", 8000, 30, "US mobile usage", invoice="monthly",
      items=("Data", "Voice", "Device protection")),
    # facilities and power
    S("Pacific Northwest Power", "Infrastructure", "Facilities & Power", "USD", 21000, 2, "Server room electricity",
      growth=0.06, invoice="monthly"),
    S("Lakeside Facility Services", "Infrastructure", "Facilities & Power", "USD", 4500, 4, "Server room cleaning and access"),
    # software purchases outside contracts
    S("Softcat", "End User Services", "Software", "GBP", 7000, 25, "Ad-hoc software licences", season="yearend",
      items=("Visio Plan 2", "Project Plan 3", "Power BI Pro", "Snagit")),
    S("SHI International", "Digital Channels", "Software", "USD", 6000, 20, "Developer tools", items=("Postman", "Figma", "Docker Business")),
    # other: training, travel, research, small vendors
    S("Summit Training Partners", "IT Management", "Other", "USD", 14000, 12, "Training courses", season="services"),
    S("Global Knowledge", "Cyber Security", "Other", "USD", 8000, 6, "Certification training", season="services"),
    S("Corporate Travel Partners", "IT Management", "Other", "USD", 16000, 55, "Travel", season="services", invoice="none",
      items=("Flights", "Hotels", "Rail", "Taxis")),
    S("Lakeside Office Supplies", "Service Desk", "Other", "USD", 1800, 15, "Office supplies"),
    S("Brightside Print & Copy Ltd", "EMEA Operations", "Other", "GBP", 1200, 6, "Printing"),
    S("Metro Couriers", "End User Services", "Other", "USD", 2500, 25, "Device couriers"),
    S("Bluewater AV Solutions", "End User Services", "Other", "USD", 3000, 5, "Meeting room parts"),
    # internal services: recharges from other departments, no invoice
    S("Internal recharge - Corporate Real Estate", "IT Management", "Internal Services", "USD", 65000, 1,
      "Office space recharge", growth=0.03, invoice="none"),
    S("Internal recharge - HR Shared Services", "IT Management", "Internal Services", "USD", 18000, 1,
      "HR services recharge", growth=0.03, invoice="none"),
    S("Internal recharge - Finance Shared Services", "ERP & Finance Systems", "Internal Services", "USD", 12000, 1,
      "Finance services recharge", invoice="none"),
)

# the planted "spend with a vendor that has no contract"
NO_CONTRACT_VENDOR = "Apex Rapid IT Services Ltd"

LICENSES = (
    # (product, contract service, seats, unit cost per seat per year, assigned share, active share of assigned)
    ("Microsoft 365 E3", "Microsoft 365 E3 (1,800 seats)", 1800, 413.92, 0.97, 0.93),
    ("Salesforce Sales Cloud Enterprise", "Sales Cloud Enterprise (450 users)", 450, 1800.0, 0.91, 0.74),
    ("Slack Enterprise Grid", "Slack Enterprise Grid", 1500, 78.67, 0.95, 0.88),
    ("ServiceNow ITSM Pro fulfiller", "ServiceNow ITSM Pro", 220, 1545.45, 0.96, 0.90),
    ("Jira Software Cloud", "Jira Software and Confluence Cloud", 650, 147.69, 0.92, 0.81),
    ("Webex Suite", "Webex Suite", 900, 80.0, 0.70, 0.42),
    ("Adobe Creative Cloud", "Creative Cloud for teams", 95, 905.26, 0.88, 0.61),
    ("Adobe Acrobat Pro", "Acrobat Pro", 260, 234.62, 0.93, 0.55),
    ("Okta Workforce Identity", "Workforce Identity Cloud", 2000, 87.5, 0.99, 0.96),
    ("GitHub Enterprise", "GitHub Enterprise (600 seats)", 600, 251.67, 0.90, 0.85),
    ("JetBrains All Products Pack", "All Products Pack", 140, 300.0, 0.86, 0.70),
    ("Zoom Workplace", "Zoom Workplace", 700, 111.43, 0.80, 0.38),
    ("DocuSign eSignature", "eSignature Business Pro", 120, 383.33, 0.85, 0.66),
    ("Workday HCM", "Workday HCM", 2100, 266.67, 0.99, 0.97),
    ("Miro Business", "Miro Business", 160, 150.0, 0.75, 0.45),
)
