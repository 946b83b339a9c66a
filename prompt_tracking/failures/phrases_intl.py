"""Phrase families in Korean and Japanese, and SDK wordings that cross the English families.

Korean and Japanese error tables (Naver Cloud, LINE WORKS, relays' localized pages) say the same
ten things as English ones in their own vocabulary: 인증 실패 / 認証に失敗 (credentials), 요청이 너무
많습니다 / レート制限 (throttling), 잔액 부족 / 残高不足 (money), 시간 초과 / タイムアウト (took too
long), 서버 오류 / サーバーエラー (a wrapper). Each entry is general vocabulary for one reason, with the
priorities of the English family it mirrors (see `rules.MESSAGE_PATTERNS`), so a stronger cause still
wins over a wrapper word. The last entries are cross-language SDK wordings: .NET's
"canceled due to the configured HttpClient.Timeout" is a timeout, not a cancel; a shell's
"sh: 1: ffmpeg: not found" or "`ffmpeg` not found" is a missing engine dependency, not a bad input.
"""
from __future__ import annotations

from prompt_tracking.records import FailureReason as R

WRAPPER = 9  # same rank as `rules.WRAPPER`: a status or cause beside the word decides

INTL_PATTERNS: tuple[tuple[str, R, int], ...] = (
    # Credentials, account access or permissions.
    (r"인증 ?(?:실패|오류|에러|정보|되지 않|이 필요|에 실패)|권한 ?(?:없음|이 없|부족|이 부족)|접근 ?(?:금지|거부|불가)"
     r"|접근이 (?:제한|거부|금지)|(?:api ?)?(?:키|토큰)(?:가|이)? ?(?:유효하지 않|잘못|만료|정지|폐기|없습니다|누락|존재하지 않|비활성)"
     r"|(?:계정|사용자)(?:이|가)? ?(?:정지|잠겨|잠금|비활성|존재하지 않)|로그인이? 필요"
     r"|認証(?:に)?(?:失敗|エラー)|認証が(?:必要|失敗)|未認証|認可されていない|権限(?:が)?(?:不足|ありません|がない|エラー)"
     r"|アクセス(?:が)?拒否|アクセス権(?:が|は)?(?:ありません|ない)|(?:api ?)?(?:キー|トークン)(?:が|は)?"
     r"(?:無効|不正|間違|正しくありません|期限切れ|失効|未指定|設定されていません|見つかりません)|ログインが必要"
     # Chinese (and traditional/Japanese forms): a key or token that is illegal, invalid, unacceptable.
     r"|(?:api[ _-]?key|apikey|key|token|密钥|令牌|金鑰|密鑰)\s?(?:非法|不合法|有误|無效|无效|不满足要求|不符合要求|不可用|已禁用|被禁用|错误)"
     r"|(?:无效|非法|错误|無效)的?\s?(?:api[ _-]?key|apikey|key|token|密钥|令牌)"
     r"|(?:身份|token|令牌|密钥|key|账户|账号)\s?的?(?:验证|认证|校验)失败"
     r"|(?:账户|账号|帐户|帐号)[^，。\n]{0,6}(?:锁定|冻结|封禁|禁用|停用|非活动状态)|未加入(?:该)?组织",
     R.AUTHENTICATION, 75),
    # A credential the service says it cannot find ("not found this api key").
    (r"\bnot found (?:this |the |that |your |any )?(?:api[ _-]?key|token|credentials?|access key)\b"
     r"|未找到(?:该|此|对应的)?(?:api[ _-]?key|密钥|令牌|token)",
     R.AUTHENTICATION, 76),
    # Out of money, credit or a plan's allowance.
    (r"잔액 ?(?:이 |가 )?(?:부족|없|소진)|크레딧 ?(?:이 |가 )?(?:부족|소진|없)|할당량 ?(?:을 |이 )?(?:초과|소진)|결제|미납|요금"
     r"|(?:사용|이용) ?(?:한도|량)(?:를|을|가|이)? ?초과|쿼터 ?초과"
     r"|残高|クレジット(?:が)?(?:不足|ありません|を使い果|切れ)|クォータ|割り当て(?:量)?(?:を)?超過|支払い|未払い|課金"
     r"|(?:利用|使用)(?:金額|料金|量)?の?上限|月間(?:の)?(?:上限|制限)",
     R.QUOTA_EXCEEDED, 88),
    # "한도 초과" alone is an allowance; a request-rate word beside it is throttling (higher below).
    (r"한도(?:를|가)? ?초과", R.QUOTA_EXCEEDED, 78),
    # Throttled: too many requests in a window, or too many at once.
    (r"요청 ?(?:과다|이 너무 많|수 ?초과|한도 ?초과|빈도)|너무 많은 요청|\brate ?초과|(?:호출|요청) ?(?:빈도|속도) ?(?:제한|초과)"
     r"|속도 제한|처리율 제한|동시 ?(?:요청|호출|실행|작업)"
     r"|レート(?:制限|リミット)|(?:リクエスト|要求)(?:が|数が)?(?:多すぎ|過多)|呼び出し(?:回数|頻度)(?:が)?(?:多すぎ|超過|制限)"
     r"|頻度(?:が高すぎ|制限)|同時(?:実行|接続|リクエスト)数|過多(?:的)?请求|过多(?:的)?请求|请求(?:数)?(?:过多|太多)|太多请求",
     R.RATE_LIMIT, 82),
    # Concurrency stated as counts in use against a maximum ("N units in use; maximum of N allowed").
    (r"\b\d+ [a-z]+ (?:are |currently )?in use\b[^.\n]{0,40}\b(?:maximum|max|limit|allowed)\b"
     r"|(?:maximum|max|limit) of \d+ (?:concurrent|simultaneous|active|parallel|running) \w+",
     R.RATE_LIMIT, 81),
    # The provider is out of capacity: a 403/429/503 whose words say so.
    (r"과부하|서버가 (?:바쁩|혼잡|붐비)|트래픽이 (?:많|몰)|過負荷|混雑|混み合って|高負荷|アクセスが集中"
     r"|(?:リソース|容量)(?:が)?(?:一時的に)?(?:不足|枯渇)|(?:리소스|용량)(?:이|가)? ?부족",
     R.SERVER_ERROR, 87),
    # Wrong input: parameters, sizes, required fields, things that do not exist.
    (r"잘못된 (?:요청|파라미터|매개변수|인자|입력|형식|값|모델|json)|(?:파라미터|매개변수|필드|인자|입력값)[^\n]{0,20}?(?:오류|누락|잘못)"
     r"|필수 ?(?:파라미터|매개변수|필드|값|항목)|누락되었|지원(?:하지 않|되지 않)|존재하지 않|찾을 수 없|크기 ?초과|범위를 벗어"
     r"|형식이 (?:잘못|올바르지)|유효하지 않은 (?:요청|파라미터|값|입력|형식|모델)|내용이 잘못|요청의 형식"
     r"|不正な(?:パラメータ|リクエスト|引数|値|入力|形式|モデル)|パラメータ(?:が|の|に)?(?:不正|無効|エラー|誤り|不足)"
     r"|無効な(?:リクエスト|パラメータ|引数|値|入力|形式|モデル|画像)|必須(?:パラメータ|項目|フィールド)|存在しません|見つかりません"
     r"|サポートされていません|対応していません|形式が(?:不正|正しくありません)|サイズ(?:が|の)?(?:超過|大きすぎ)|長すぎ",
     R.INVALID_PARAMETERS, 60),
    # Took too long.
    (r"시간 ?초과|타임아웃|시간이 초과|タイムアウト|時間切れ|応答がありません", R.TIMEOUT, 70),
    # Could not reach the provider.
    (r"연결(?:에)? ?(?:실패|거부|오류|할 수 없|끊)|네트워크 ?(?:오류|에러)|接続(?:に)?(?:失敗|できません|エラー|が拒否|がリセット)"
     r"|ネットワーク(?:エラー|に接続できません)|名前解決", R.NETWORK_ERROR, 65),
    # Cancelled by the user or the app.
    (r"취소(?:되었|됨|된|했)|キャンセル(?:され|しました|済み)|中止されました", R.CANCELLED, 70),
    # Moderation.
    (r"유해(?:한)? (?:콘텐츠|내용)|부적절한 (?:콘텐츠|내용|요청)|콘텐츠 정책|안전 정책|검열|不適切な|コンテンツポリシー|ポリシー違反|セーフティ",
     R.CONTENT_FILTER, 90),
    # Wrappers that only say a layer failed.
    (r"서버 ?(?:오류|에러)|내부 ?(?:오류|에러)|서비스 ?(?:불가|이용 불가|를 사용할 수 없)|일시적(?:인)? ?(?:오류|장애)|장애"
     r"|サーバー?(?:内部)?エラー|内部(?:サーバー?)?エラー|サービス(?:が)?(?:一時的に)?(?:利用不可|利用できません|停止)|利用不可|上流",
     R.SERVER_ERROR, WRAPPER),
    # .NET/Go: a request "canceled" by the client's own timeout took too long; it was not a deliberate cancel.
    (r"httpclient\.timeout|client\.timeout exceeded|timeout of [\d.:]+ (?:seconds |ms |milliseconds )?elapsing"
     r"|cancel(?:l)?ed (?:due to|because of|after) [^.\n]{0,40}?time(?:d )?out",
     R.TIMEOUT, 91),
    # A missing executable the engine shells out to: the local tool is broken, not the request.
    (r": (?:line )?\d+: [\w.-]+: not found|\b[\w.-]+: command not found"
     r"|is not recognized as an internal or external command"
     r"|[`'\"]?\b(?:ffmpeg|ffprobe|sox|espeak(?:-ng)?|nvcc|imagemagick|magick|exiftool|gifsicle)\b[`'\"]? (?:was )?(?:not found|could not be found|is not installed)",
     R.SERVER_ERROR, 69),
)
