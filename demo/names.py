"""Material for realistic generated names in rural northern Anhui."""

# Common surnames, roughly by frequency in the region.
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力海鹏飞宇浩然欣怡"
    "子涵梓轩晨阳佳琪雨萱思远俊杰婷雪梅志国春燕云凤晓东成德金福利民永庆桂芝振兴"
)
# Stems and suffixes of village names on the Huaibei plain (…庄, …楼, …寨, …集 …).
VILLAGE_SUFFIXES = "庄楼寨集湖圩桥营店台园岗庙港铺湾"
VILLAGE_PREFIXES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许沈彭吕苏卢蒋蔡"
    "丁魏薛叶余潘杜戴夏汪田任姜范方石姚谭邹熊金陆孔白崔毛秦江史大小新老东西南北前后"
)
COMMUNITY_NAMES = [
    "人民",
    "建设",
    "幸福",
    "和平",
    "光明",
    "新华",
    "东城",
    "西城",
    "南关",
    "北关",
    "城东",
    "城西",
    "育才",
    "兴业",
    "利民",
    "文昌",
    "向阳",
    "振兴",
]
OPENING_HOURS = [
    "周一至周五 14:00-17:30；周六 9:00-11:30",
    "周二、四、六 15:00-18:00",
    "周六、周日 9:00-11:30，14:30-17:00",
    "工作日 16:00-18:00；寒暑假每天开放",
]


def person_name(rng) -> str:
    """A plausible Chinese full name: surname and one or two given characters."""
    given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def mobile(rng) -> str:
    """An 11-digit mainland mobile number of the usual form."""
    return "1" + rng.choice("3589") + f"{rng.randrange(10**9):09d}"


def landline(rng) -> str:
    """A Bozhou (0558) landline number."""
    return "0558-" + str(rng.randrange(8100000, 8999999))
